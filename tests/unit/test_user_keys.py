"""API key management (API.md C5): list users, rotate a user's keys, disable a user."""

from __future__ import annotations

import pytest

from tests.support.world import World
from vod_core.errors import AccessDenied, InvalidParameter


async def test_rotating_replaces_every_key_of_the_user_at_once(world: World) -> None:
    _, carol_key = await world.vod.users.create_user("carol")
    second_key = await world.vod.users.add_api_key("carol")
    new_key = await world.vod.users.rotate_key("carol")
    for old in (carol_key, second_key):
        with pytest.raises(AccessDenied) as refused:
            await world.vod.users.authenticate(old)
        assert refused.value.unauthenticated
    assert (await world.vod.users.authenticate(new_key)).name == "carol"
    assert new_key not in (carol_key, second_key)


async def test_disabling_refuses_the_users_keys_and_no_one_elses(world: World) -> None:
    _, carol_key = await world.vod.users.create_user("carol")
    _, dave_key = await world.vod.users.create_user("dave")
    await world.vod.users.disable_user("carol")
    await world.vod.users.disable_user("carol")  # again: nothing changes
    with pytest.raises(AccessDenied):
        await world.vod.users.authenticate(carol_key)
    assert (await world.vod.users.authenticate(dave_key)).name == "dave"
    rotated = await world.vod.users.rotate_key("carol")  # a new key does not enable the user
    with pytest.raises(AccessDenied):
        await world.vod.users.authenticate(rotated)


async def test_the_list_shows_names_dates_state_and_key_counts_never_keys(world: World) -> None:
    _, carol_key = await world.vod.users.create_user("carol")
    await world.vod.users.add_api_key("carol")
    await world.vod.users.disable_user("bob")
    listed = {u.name: u for u in await world.vod.users.list_users()}
    assert [u.name for u in await world.vod.users.list_users()] == ["alice", "bob", "carol"]
    assert (listed["carol"].key_count, listed["carol"].disabled) == (2, False)
    assert (listed["bob"].key_count, listed["bob"].disabled) == (1, True)
    assert listed["alice"].created_at.utcoffset() is not None
    assert carol_key not in repr(listed)


@pytest.mark.parametrize("use_case", ["rotate_key", "disable_user"])
async def test_an_unknown_user_is_3101_naming_the_name(world: World, use_case: str) -> None:
    with pytest.raises(InvalidParameter) as raised:
        await getattr(world.vod.users, use_case)("nobody")
    assert raised.value.field == "name"
