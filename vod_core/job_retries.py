"""When a failed background job runs again, and when it is given up: one policy for every queue.

A job fails for one of two kinds of reason:

- **an outage**: the object store or the database was unavailable
  (:class:`~vod_core.errors.StorageUnavailable`, possibly translated by a use
  case into its internal error, cause chained). The work is fine; it is
  retried with exponential backoff for as long as the outage lasts, up to
  ``outage_limit``, and these runs do not count as attempts;
- **a failure of its own** (any other error, or a worker that died while
  running it): retried with the same backoff, and given up after
  ``max_attempts`` runs, so a bad file or a broken encode does not loop.

The counters travel with the job (``Job.attempt``, ``Job.outages``,
``Job.outage_since``); a queue re-queues the job :meth:`JobRetryPolicy.after_failure`
returns once its delay has passed, and ``Processing.handle`` gives up a job
:meth:`JobRetryPolicy.give_up_reason` names a reason for.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from vod_core.errors import StorageUnavailable
from vod_core.ports.jobs import Job

OUTAGE_REASON = "gave up: the object store or database was unreachable for"


def is_outage(error: BaseException) -> bool:
    """True when ``error`` is, or was caused by, the store or database being unavailable."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, StorageUnavailable):
            return True
        cause = cause.__cause__
    return False


@dataclass(frozen=True)
class Retry:
    """Run ``job`` (the failed job with its counters updated) again after ``delay``."""

    job: Job
    delay: timedelta


@dataclass(frozen=True)
class JobRetryPolicy:
    """Exponential backoff with jitter, from ``first_delay`` doubling up to ``max_delay``.

    Each kind of failure has its own streak: the n-th failure of its own
    waits as long as the n-th consecutive outage failure. A failure of its
    own ends an outage streak (the next outage starts a new one).
    """

    max_attempts: int = 3
    outage_limit: timedelta = timedelta(hours=24)
    first_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(minutes=5)

    def delay(self, failures: int, jitter: float) -> timedelta:
        """Wait after the ``failures``-th failure in a row; ``jitter`` in [0, 1) spreads it over 50–100 %."""
        base: timedelta = min(self.max_delay, self.first_delay * 2 ** min(max(failures, 1) - 1, 40))
        return base * (0.5 + jitter / 2)

    def after_failure(self, job: Job, error: BaseException, now: datetime, jitter: float) -> Retry:
        """The job to run next after ``job`` raised ``error`` at ``now``, and when.

        A job past its limits is run again too, to be given up: that writes
        to the database, which may be the part that is down, so it waits
        its delay like any retry rather than spinning.
        """
        if is_outage(error):
            outages = job.outages + 1
            retry = replace(job, outages=outages, outage_since=job.outage_since or now)
            return Retry(retry, self.delay(outages, jitter))
        retry = replace(job, attempt=job.attempt + 1, outages=0, outage_since=None)
        return Retry(retry, self.delay(job.attempt, jitter))

    def give_up_reason(self, job: Job, now: datetime) -> str | None:
        """Why ``job`` is to be given up instead of run at ``now``; None to run it."""
        if job.attempt > self.max_attempts:
            return f"gave up after {self.max_attempts} attempts"
        if job.outage_since is not None and now - job.outage_since >= self.outage_limit:
            return f"{OUTAGE_REASON} {_span(self.outage_limit)}"
        return None


def _span(duration: timedelta) -> str:
    """``24 h``, ``90 min`` or ``45 s``: the largest unit that states it exactly."""
    seconds = int(duration.total_seconds())
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"
