"""SSRF rules of callback URLs (issue 11 item 1): the host as the HTTP client will see it."""

from __future__ import annotations

import ipaddress

import pytest
import yarl
from hypothesis import example, given
from hypothesis import strategies as st

from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from vod_core.errors import InvalidParameter
from vod_core.url_guard import UnsafeUrl, check_url

# Spellings of loopback and link-local addresses that an IDNA/NFKC step or a resolver turns into an IP.
NORMALISED_TO_PRIVATE = [
    "http://127。0。0。1:8799/x",
    "http://１２７.０.０.１/x",
    "http://①②⑦.⓪.⓪.①/x",
    "http://127｡0｡0｡1/x",
    "http://127．0．0．1/x",
    "http://169。254。169。254/latest/meta-data",
]
NON_CANONICAL_IPS = [
    "http://2130706433/x",
    "http://0x7f000001/x",
    "http://0177.0.0.1/x",
    "http://127.1/x",
    "http://0/x",
    "http://0.0.0.0/x",
    "http://127.0.0.1./x",
    "http://[::127.0.0.1]/x",
    "http://[::ffff:127.0.0.1]/x",
    "http://[64:ff9b::7f00:1]/x",
    "http://[2002:7f00:1::]/x",
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/x",
    "http://[::]/x",
    "http://[fe80::1%25eth0]/x",
    "http://%31%32%37.0.0.1/x",
    "http://127.0.0.%31/x",
    "http://ex%61mple.com/x",
    "http://93.184.216.034/x",
]


@pytest.mark.parametrize("url", NORMALISED_TO_PRIVATE + NON_CANONICAL_IPS)
@pytest.mark.parametrize("allow_private", [False, True])
async def test_non_canonical_and_normalised_hosts_are_refused_at_set_time(url: str, allow_private: bool) -> None:
    vod = bootstrap(Config.in_memory(webhook_allow_private=allow_private)).vod
    user, _ = await vod.users.create_user("alice")
    with pytest.raises(InvalidParameter) as refused:
        await vod.preferences.set_callback(user.id, "video", url)
    assert refused.value.field == "url"
    assert (await vod.preferences.get_settings(user.id)).callbacks == {}


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8799/x",
        "http://10.0.0.1/x",
        "http://169.254.169.254/x",
        "http://100.64.0.1/x",
        "http://[::1]/x",
        "http://[fc00::1]/x",
        "http://[fe80::1]/x",
        "http://localhost:8000/x",
        "http://LOCALHOST./x",
        "http://api.localhost/x",
    ],
)
def test_private_targets_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(UnsafeUrl, match="private"):
        check_url(url, allow_private=False)
    assert check_url(url, allow_private=True).port in (8799, 8000, 80)


@pytest.mark.parametrize(
    ("url", "host", "port"),
    [
        ("https://hooks.example.com/v1?x=1", "hooks.example.com", 443),
        ("http://Hooks.Example.COM:8080/", "hooks.example.com", 8080),
        ("http://93.184.216.34/", "93.184.216.34", 80),
        ("https://[2606:2800:220:1:248:1893:25c8:1946]:8443/h", "2606:2800:220:1:248:1893:25c8:1946", 8443),
        ("http://xn--bcher-kva.de/", "xn--bcher-kva.de", 80),
        ("http://my_hooks.example.com/", "my_hooks.example.com", 80),
        ("http://1x.example/", "1x.example", 80),
    ],
)
def test_public_canonical_urls_are_accepted(url: str, host: str, port: int) -> None:
    target = check_url(url, allow_private=False)
    assert (target.host, target.port) == (host, port)


@pytest.mark.parametrize(
    "url",
    ["http://exa mple.com/", "http://example.com/\n", "http://bücher.de/", "http://example.com:0/", "http://e.com:1x/"],
)
def test_spaces_non_ascii_hosts_and_bad_ports_are_refused(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        check_url(url, allow_private=True)


HOST_ALPHABET = st.sampled_from(
    [
        *"0123456789abcdefx.:[]%_-",
        "。",
        "｡",
        "．",
        "１",
        "２",
        "７",
        "０",
        "①",
        "⓪",
        "ü",
        "ß",
        "A",
        "X",
        "\u200b",
        "@",
        "/",
    ]
)
hosts = st.text(HOST_ALPHABET, min_size=1, max_size=24)


def yarl_view(url: str) -> tuple[str, ipaddress.IPv4Address | ipaddress.IPv6Address | None] | None:
    """The host yarl hands to the connector (``raw_host``) and its address if it is an IP; None if unparsable."""
    try:
        raw = yarl.URL(url).raw_host
    except (ValueError, UnicodeError):
        return None
    if raw is None:
        return None
    try:
        return raw, ipaddress.ip_address(raw)
    except ValueError:
        return raw, None


@given(hosts, st.booleans())
@example("127。0。0。1", False)
@example("[::127.0.0.1]", True)
def test_an_accepted_host_is_exactly_the_host_yarl_connects_to(host: str, allow_private: bool) -> None:
    url = f"http://{host}/hook"
    try:
        target = check_url(url, allow_private=allow_private)
    except UnsafeUrl:
        return
    assert yarl_view(url) == (target.host, target.address)


@given(hosts)
@example("①②⑦.⓪.⓪.①")
@example("169｡254｡169｡254")
def test_no_host_yarl_reads_as_a_private_address_is_accepted(host: str) -> None:
    url = f"http://{host}:8799/hook"
    seen = yarl_view(url)
    if seen is not None and seen[1] is not None and not seen[1].is_global:
        with pytest.raises(UnsafeUrl):
            check_url(url, allow_private=False)
