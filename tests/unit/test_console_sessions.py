"""Console sign-in (vod.sessions): sessions expire, end at sign-out, and end with the user's keys."""

from __future__ import annotations

from datetime import timedelta

import pytest

from entrypoints.config import Config
from tests.support.world import World, new_world
from vod_core.errors import AccessDenied
from vod_core.sessions import hash_session_token

TTL_S = 600


@pytest.fixture
async def world() -> World:
    return await new_world(Config.in_memory(console_session_ttl_s=TTL_S))


async def test_a_key_signs_in_the_keys_user_and_the_token_is_not_stored(world: World) -> None:
    _, key = await world.vod.users.create_user("carol")
    signed_in = await world.vod.sessions.sign_in(key)
    session = await world.vod.sessions.resolve(signed_in.token)
    carol = await world.vod.users.authenticate(key)
    assert session.user_id == carol.id
    assert session.csrf_token == signed_in.csrf_token
    assert session.token_hash == hash_session_token(signed_in.token) != signed_in.token
    assert signed_in.expires_at - session.created_at == timedelta(seconds=TTL_S)


async def test_a_bad_key_signs_nobody_in(world: World) -> None:
    for key in ("", "not-a-key"):
        with pytest.raises(AccessDenied) as refused:
            await world.vod.sessions.sign_in(key)
        assert refused.value.unauthenticated


async def test_a_session_expires_after_its_ttl(world: World) -> None:
    _, key = await world.vod.users.create_user("carol")
    signed_in = await world.vod.sessions.sign_in(key)
    world.clock.advance(timedelta(seconds=TTL_S - 1))
    await world.vod.sessions.resolve(signed_in.token)
    world.clock.advance(timedelta(seconds=1))
    with pytest.raises(AccessDenied) as refused:
        await world.vod.sessions.resolve(signed_in.token)
    assert refused.value.unauthenticated


async def test_sign_out_ends_that_session_only(world: World) -> None:
    _, key = await world.vod.users.create_user("carol")
    first, second = await world.vod.sessions.sign_in(key), await world.vod.sessions.sign_in(key)
    await world.vod.sessions.sign_out(first.token)
    await world.vod.sessions.sign_out(first.token)  # again: no error
    with pytest.raises(AccessDenied):
        await world.vod.sessions.resolve(first.token)
    assert (await world.vod.sessions.resolve(second.token)).csrf_token == second.csrf_token


@pytest.mark.parametrize("end", ["rotate_key", "disable_user"])
async def test_rotating_the_keys_or_disabling_the_user_ends_its_sessions(world: World, end: str) -> None:
    _, key = await world.vod.users.create_user("carol")
    _, dave_key = await world.vod.users.create_user("dave")
    carol, dave = await world.vod.sessions.sign_in(key), await world.vod.sessions.sign_in(dave_key)
    await getattr(world.vod.users, end)("carol")
    with pytest.raises(AccessDenied):
        await world.vod.sessions.resolve(carol.token)
    await world.vod.sessions.resolve(dave.token)


async def test_the_csrf_token_must_be_the_sessions_own(world: World) -> None:
    _, key = await world.vod.users.create_user("carol")
    mine, other = await world.vod.sessions.sign_in(key), await world.vod.sessions.sign_in(key)
    session = await world.vod.sessions.resolve(mine.token)
    world.vod.sessions.check_csrf(session, mine.csrf_token)
    for wrong in ("", other.csrf_token, mine.csrf_token + "x", "\udcff"):
        with pytest.raises(AccessDenied) as refused:
            world.vod.sessions.check_csrf(session, wrong)
        assert not refused.value.unauthenticated
