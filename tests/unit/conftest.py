"""The use-case tests' world: the service over in-memory adapters, users alice and bob."""

from __future__ import annotations

import pytest

from tests.support.world import World, new_world


@pytest.fixture
async def world() -> World:
    return await new_world()
