"""How soon a dead worker's job is taken over is a setting (``VOD_JOB_TAKEOVER``) of ``vod worker``."""

from __future__ import annotations

import pytest

from entrypoints.config import Config, ConfigError
from entrypoints.worker import takeover_timing


def test_the_takeover_delay_is_a_setting_of_at_least_one_second() -> None:
    assert Config.from_env({}).job_takeover_s == 60
    assert Config.from_env({"VOD_JOB_TAKEOVER": "5"}).job_takeover_s == 5
    with pytest.raises(ConfigError, match="VOD_JOB_TAKEOVER"):
        Config.from_env({"VOD_JOB_TAKEOVER": "0"})


def test_idle_jobs_are_looked_for_at_least_as_often_as_the_takeover_delay() -> None:
    default = takeover_timing(60)
    assert (default.min_idle_ms, default.claim_every_s) == (60_000, 5.0)
    short = takeover_timing(2)
    assert (short.min_idle_ms, short.claim_every_s) == (2_000, 2.0)
    assert short.block_ms / 1000 <= short.claim_every_s  # a blocking read never delays a due claim
