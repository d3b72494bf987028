"""JobRetryPolicy under hypothesis: random runs of failures against a model of the two counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entrypoints.bootstrap import bootstrap
from entrypoints.config import Config, ConfigError
from vod_core.errors import InternalError, StorageUnavailable, UpdateVideoFailed
from vod_core.job_retries import OUTAGE_REASON, JobRetryPolicy, is_outage
from vod_core.ports.jobs import Job, JobKind

START = datetime(2026, 1, 1, tzinfo=UTC)
JOB = Job(JobKind.TRANSCODE, "v1", ("p1", "p2"))


def outage() -> Exception:
    """What a use case raises when the store is down: its internal error, the outage as the cause."""
    try:
        raise UpdateVideoFailed() from StorageUnavailable("object store failure in import_file")
    except InternalError as exc:
        return exc


@dataclass(frozen=True)
class Failure:
    outage: bool
    after: timedelta
    """How long the run took before it failed."""
    jitter: float


failures = st.builds(
    Failure,
    st.booleans(),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=3)),
    st.floats(min_value=0, max_value=1, exclude_max=True),
)
policies = st.builds(
    lambda first_ms, factor, attempts, limit_s: JobRetryPolicy(
        max_attempts=attempts,
        outage_limit=timedelta(seconds=limit_s),
        first_delay=timedelta(milliseconds=first_ms),
        max_delay=timedelta(milliseconds=first_ms * factor),
    ),
    st.integers(1, 10_000),
    st.integers(1, 1000),
    st.integers(1, 5),
    st.integers(60, 7 * 86400),
)


def expected_delay_range(policy: JobRetryPolicy, streak: int) -> tuple[timedelta, timedelta]:
    full = min(policy.max_delay, policy.first_delay * 2 ** (streak - 1))
    return full / 2, full


@given(policies, st.lists(failures, max_size=40))
def test_each_kind_of_failure_counts_apart_and_backs_off(policy: JobRetryPolicy, run: list[Failure]) -> None:
    job, now = JOB, START
    own_failures, streak, streak_start = 0, 0, None
    for failure in run:
        if policy.give_up_reason(job, now) is not None:
            break  # Processing.handle gives it up here
        now += failure.after
        retry = policy.after_failure(job, outage() if failure.outage else RuntimeError("bug"), now, failure.jitter)
        if failure.outage:
            streak += 1
            streak_start = streak_start or now
            low, high = expected_delay_range(policy, streak)
        else:
            own_failures += 1
            streak, streak_start = 0, None
            low, high = expected_delay_range(policy, own_failures)
        assert low <= retry.delay <= high
        assert retry.delay <= policy.max_delay
        job, now = retry.job, now + retry.delay
        assert (job.kind, job.video_id, job.play_set_ids) == (JOB.kind, JOB.video_id, JOB.play_set_ids)
        assert (job.attempt, job.outages, job.outage_since) == (own_failures + 1, streak, streak_start)

    reason = policy.give_up_reason(job, now)
    if own_failures >= policy.max_attempts:
        assert reason == f"gave up after {policy.max_attempts} attempts"
    elif streak_start is not None and now - streak_start >= policy.outage_limit:
        assert reason is not None and reason.startswith(OUTAGE_REASON)
    else:
        assert reason is None


@given(st.integers(1, 10_000), st.floats(min_value=0, max_value=1, exclude_max=True))
def test_an_outage_shorter_than_the_limit_never_gives_a_job_up(outages: int, jitter: float) -> None:
    policy = JobRetryPolicy()
    job, now = JOB, START
    for _ in range(min(outages, 300)):
        retry = policy.after_failure(job, outage(), now, jitter)
        job, now = retry.job, now + retry.delay
        if now - START < policy.outage_limit:
            assert policy.give_up_reason(job, now) is None
    assert job.attempt == 1


def test_the_defaults_wait_one_second_doubling_up_to_five_minutes_and_name_the_limit() -> None:
    policy = JobRetryPolicy()
    delays = [policy.delay(n, jitter=0.999999) for n in (1, 2, 3, 9, 10, 50)]
    assert [round(d.total_seconds()) for d in delays] == [1, 2, 4, 256, 300, 300]
    assert policy.delay(1, jitter=0) == timedelta(milliseconds=500)
    since = Job(JOB.kind, JOB.video_id, outages=40, outage_since=START)
    assert policy.give_up_reason(since, START + timedelta(hours=24)) == f"{OUTAGE_REASON} 24 h"
    assert policy.give_up_reason(since, START + timedelta(hours=23, minutes=59)) is None
    short = JobRetryPolicy(outage_limit=timedelta(minutes=90))
    assert short.give_up_reason(since, START + timedelta(hours=2)) == f"{OUTAGE_REASON} 90 min"


def test_an_outage_is_recognised_through_its_causes_only() -> None:
    assert is_outage(StorageUnavailable("down"))
    assert is_outage(outage())
    wrapped = RuntimeError("while storing")
    wrapped.__cause__ = outage()
    assert is_outage(wrapped)
    assert not is_outage(RuntimeError("bug"))
    during = RuntimeError("a bug while handling an outage")
    during.__context__ = StorageUnavailable("down")
    assert not is_outage(during)  # only causes count, not errors that happened meanwhile


def test_the_outage_bound_is_a_setting_that_reaches_the_policy() -> None:
    assert Config.from_env({}).job_outage_retry_s == 86400
    config = Config.in_memory(job_outage_retry_s=3600)
    assert bootstrap(config).vod.ctx.job_retries == JobRetryPolicy(outage_limit=timedelta(hours=1))
    assert Config.from_env({"VOD_JOB_OUTAGE_RETRY_S": "600"}).job_outage_retry_s == 600
    for bad in ("59", "1h", "-5"):
        with pytest.raises(ConfigError, match="VOD_JOB_OUTAGE_RETRY_S"):
            Config.from_env({"VOD_JOB_OUTAGE_RETRY_S": bad})
