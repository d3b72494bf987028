"""Signed media URLs: the rule (any alteration is refused) and one key per deployment."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from adapters.memory import MemoryBackend
from adapters.memory.database import MemoryDatabase
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config
from vod_core.services.access import SIGNING_KEY_NAME
from vod_core.signing import UrlSigner

SIGNER = UrlSigner("k" * 43)
NOW = 1_767_225_600
IDS = st.text(alphabet="0123456789abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=32)
EXPIRES = st.integers(NOW + 1, 10**11)


@given(IDS, EXPIRES)
def test_a_fresh_signature_verifies_for_its_video(video_id: str, expires: int) -> None:
    grant = SIGNER.grant(video_id, expires)
    assert SIGNER.verify(video_id, str(grant.expires), grant.signature, NOW)
    assert not SIGNER.verify(video_id, str(grant.expires), grant.signature, expires)  # expired at ``expires``


@given(IDS, EXPIRES, IDS, st.text(max_size=14), st.text(max_size=70))
def test_any_alteration_is_refused(video_id: str, expires: int, other_id: str, raw_expires: str, raw_sig: str) -> None:
    grant = SIGNER.grant(video_id, expires)
    if other_id != video_id:
        assert not SIGNER.verify(other_id, str(expires), grant.signature, NOW)
    if raw_expires != str(expires):
        assert not SIGNER.verify(video_id, raw_expires, grant.signature, NOW)
    if raw_sig != grant.signature:
        assert not SIGNER.verify(video_id, str(expires), raw_sig, NOW)
    assert not UrlSigner("another key").verify(video_id, str(expires), grant.signature, NOW)


async def stored_key(runtime_database: MemoryBackend) -> str | None:
    async with runtime_database.read_unit_of_work() as uow:
        return await uow.service_keys.get(SIGNING_KEY_NAME)


async def test_the_generated_key_is_made_once_and_shared_by_every_runtime_on_the_database(tmp_path: Path) -> None:
    config = Config(data_dir=str(tmp_path))
    async with bootstrap(config) as first, bootstrap(config) as second:
        grant = (await first.vod.access.grants()).for_video("v1")
        assert (await second.vod.access.signer()).verify("v1", str(grant.expires), grant.signature, NOW)
    async with bootstrap(config) as restarted:  # a later start reads the same stored key
        assert (await restarted.vod.access.signer()).verify("v1", str(grant.expires), grant.signature, NOW)
    async with bootstrap(Config(data_dir=str(tmp_path / "elsewhere"))) as other_deployment:
        assert not (await other_deployment.vod.access.signer()).verify("v1", str(grant.expires), grant.signature, NOW)


async def test_two_processes_starting_together_agree_on_one_key() -> None:
    db = MemoryDatabase()
    first = bootstrap(Config.in_memory(), database=MemoryBackend(db)).vod
    second = bootstrap(Config.in_memory(), database=MemoryBackend(db)).vod
    a, b = await asyncio.gather(first.access.signer(), second.access.signer())  # both find no key at first
    assert a.sign("v1", NOW) == b.sign("v1", NOW)
    assert await stored_key(MemoryBackend(db))


async def test_the_configured_key_wins_over_the_stored_one() -> None:
    db = MemoryDatabase()
    generated = await bootstrap(Config.in_memory(), database=MemoryBackend(db)).vod.access.signer()
    configured = bootstrap(Config.in_memory(url_signing_key="from-the-environment"), database=MemoryBackend(db)).vod
    signer = await configured.access.signer()
    assert signer.sign("v1", NOW) == UrlSigner("from-the-environment").sign("v1", NOW)
    assert signer.sign("v1", NOW) != generated.sign("v1", NOW)
    grant = (await configured.access.grants()).for_video("v1")
    assert UrlSigner("from-the-environment").verify("v1", str(grant.expires), grant.signature, NOW)


def test_the_settings_are_read_from_the_environment() -> None:
    config = Config.from_env({"VOD_URL_SIGNING_KEY": "s3cret", "VOD_URL_TTL": "60", "VOD_UNLINKED_TTL": "120"})
    assert (config.url_signing_key, config.url_ttl_s, config.unlinked_ttl_s) == ("s3cret", 60, 120)
    defaults = Config.from_env({})
    assert (defaults.url_signing_key, defaults.url_ttl_s, defaults.unlinked_ttl_s) == ("", 21600, 86400)
