"""Range header parsing and the settings from the environment."""

from __future__ import annotations

import pytest

from entrypoints.config import DEFAULT_MAX_UPLOAD_BYTES, Config, ConfigError
from entrypoints.http.ranges import ByteRange, Unsatisfiable, parse_range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-0", ByteRange(0, 0)),
        ("bytes=5-", ByteRange(5, 9)),
        ("bytes=-3", ByteRange(7, 9)),
        ("bytes=-30", ByteRange(0, 9)),
        ("bytes=8-100", ByteRange(8, 9)),
        ("items=0-1", None),
        ("bytes=0-1,3-4", None),
        ("bytes=5-2", None),
        ("bytes=a-b", None),
        ("bytes=", None),
    ],
)
def test_ranges_are_parsed_or_ignored(header: str | None, expected: ByteRange | None) -> None:
    assert parse_range(header, 10) == expected


@pytest.mark.parametrize(("header", "size"), [("bytes=10-", 10), ("bytes=-0", 10), ("bytes=0-", 0)])
def test_ranges_outside_the_file_are_unsatisfiable(header: str, size: int) -> None:
    with pytest.raises(Unsatisfiable):
        parse_range(header, size)


def test_the_defaults_need_no_environment() -> None:
    config = Config.from_env({})
    assert (config.host, config.port) == ("127.0.0.1", 8000)
    assert config.data_dir.endswith("vod-data")
    assert config.max_upload_bytes == DEFAULT_MAX_UPLOAD_BYTES
    assert config.base_url() == "http://127.0.0.1:8000"
    assert str(config.zone()) == "Asia/Shanghai"
    assert not config.webhook_allow_private and not config.redis_url


def test_settings_are_read_from_the_environment() -> None:
    config = Config.from_env(
        {
            "VOD_PORT": "9001",
            "VOD_HOST": "0.0.0.0",
            "VOD_PUBLIC_BASE_URL": "https://cdn.example.com/",
            "VOD_TIMEZONE": "Europe/Berlin",
            "VOD_MAX_UPLOAD_BYTES": "1024",
            "VOD_WEBHOOK_ALLOW_PRIVATE": "1",
        }
    )
    assert config.port == 9001 and config.max_upload_bytes == 1024
    assert config.base_url() == "https://cdn.example.com"
    assert str(config.zone()) == "Europe/Berlin" and config.webhook_allow_private


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("VOD_PORT", "http"),
        ("VOD_PORT", "70000"),
        ("VOD_MAX_UPLOAD_BYTES", "0"),
        ("VOD_TIMEZONE", "Mars/Base"),
        ("VOD_WEBHOOK_ALLOW_PRIVATE", "maybe"),
    ],
)
def test_bad_settings_stop_the_start_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Config.from_env({name: value})
