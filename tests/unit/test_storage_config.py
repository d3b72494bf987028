"""The object storage settings (API.md C2): VOD_STORAGE_URL, VOD_S3_ENDPOINT_URL, VOD_CACHE_BYTES."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entrypoints.config import DEFAULT_CACHE_BYTES, Config, ConfigError


def test_without_settings_files_are_local_and_the_cache_holds_20_gib() -> None:
    config = Config.from_env({})
    assert config.s3_location() is None
    assert config.s3_endpoint_url == ""
    assert config.cache_bytes == DEFAULT_CACHE_BYTES == 20 * 1024**3


def test_an_s3_url_names_the_bucket_and_the_prefix() -> None:
    config = Config.from_env(
        {
            "VOD_STORAGE_URL": "s3://media-bucket/vod/prod/",
            "VOD_S3_ENDPOINT_URL": "http://127.0.0.1:9000/",
            "VOD_CACHE_BYTES": str(50 * 1024**3),
        }
    )
    assert config.s3_location() == ("media-bucket", "vod/prod")
    assert config.s3_endpoint_url == "http://127.0.0.1:9000"
    assert config.cache_bytes == 50 * 1024**3
    assert Config.from_env({"VOD_STORAGE_URL": "s3://media-bucket"}).s3_location() == ("media-bucket", "")


BUCKETS = st.from_regex(r"\A[a-z0-9][a-z0-9.-]{1,20}[a-z0-9]\Z")
SEGMENTS = st.lists(st.from_regex(r"\A[A-Za-z0-9_.-]{1,10}\Z"), max_size=3)


@given(bucket=BUCKETS, segments=SEGMENTS, trailing=st.booleans())
def test_any_valid_bucket_and_prefix_are_read_back(bucket: str, segments: list[str], trailing: bool) -> None:
    prefix = "/".join(segments)
    url = f"s3://{bucket}/{prefix}{'/' if trailing and prefix else ''}"
    assert Config.from_env({"VOD_STORAGE_URL": url}).s3_location() == (bucket, prefix)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("VOD_STORAGE_URL", "https://bucket/prefix"),
        ("VOD_STORAGE_URL", "s3://"),
        ("VOD_STORAGE_URL", "s3://Upper_Case/x"),
        ("VOD_STORAGE_URL", "s3://bucket/x?versioning=1"),
        ("VOD_STORAGE_URL", "/var/lib/vod"),
        ("VOD_S3_ENDPOINT_URL", "minio:9000"),
        ("VOD_S3_ENDPOINT_URL", "ftp://minio:9000"),
        ("VOD_S3_ENDPOINT_URL", "http://"),
        ("VOD_CACHE_BYTES", "20GiB"),
        ("VOD_CACHE_BYTES", "0"),
        ("VOD_CACHE_BYTES", "-5"),
    ],
)
def test_a_malformed_storage_setting_stops_the_start_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Config.from_env({"VOD_STORAGE_URL": "s3://bucket", name: value})


def test_with_s3_the_cache_must_hold_the_largest_upload() -> None:
    with pytest.raises(ConfigError, match=r"VOD_CACHE_BYTES.*VOD_MAX_UPLOAD_BYTES"):
        Config.from_env({"VOD_STORAGE_URL": "s3://bucket", "VOD_MAX_UPLOAD_BYTES": "2000", "VOD_CACHE_BYTES": "1999"})
    # Local files need no cache: the same sizes are fine without VOD_STORAGE_URL.
    assert Config.from_env({"VOD_MAX_UPLOAD_BYTES": "2000", "VOD_CACHE_BYTES": "1999"}).cache_bytes == 1999
