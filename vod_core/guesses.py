"""Wrong share-password guesses: counted per (client, video), answered with a growing delay.

A client that keeps guessing one video's password waits longer and longer
between guesses (:class:`GuessPolicy`); every other client, the owner's
viewers included, is not affected. A client is its IPv4 address, or the
/64 network of its IPv6 address (one subscriber's share of IPv6 space), so
switching addresses inside one's own network does not reset the count.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_CLIENT_LENGTH = 64
"""The store's ``client`` column is this wide."""


def client_key(address: str) -> str:
    """Who is guessing: ``address`` normalised (IPv6 to its /64 network), at most 64 characters."""
    try:
        parsed = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:  # a UNIX socket, or whatever a trusted proxy forwarded: printable ASCII only
        printable = "".join(c for c in address.strip() if c.isascii() and c.isprintable())
        return printable[:MAX_CLIENT_LENGTH] or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


@dataclass
class WrongGuesses:
    """What the store keeps about one client's wrong passwords for one video."""

    client: str
    video_id: str
    failures: int
    last_failure_at: datetime
    next_allowed_at: datetime
    """No guess of this client for this video is judged before this moment."""


@dataclass(frozen=True)
class GuessPolicy:
    """``free`` wrong guesses cost nothing; each later one makes the next wait twice as long, up to ``cap``.

    After ``free`` failures the client waits ``base``, then ``2 × base``,
    ``4 × base``… before its next guess is looked at. The count starts again
    once the last wrong guess is ``forget_after`` old, and a right password
    clears it.
    """

    free: int = 5
    base: timedelta = timedelta(seconds=1)
    cap: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(days=1)

    def delay(self, failures: int) -> timedelta:
        """How long a client with ``failures`` wrong guesses waits before its next one."""
        if failures < self.free:
            return timedelta(0)
        doublings = failures - self.free
        if doublings >= 64:  # far past any cap; avoids a huge multiplier
            return self.cap
        delay: timedelta = self.base * (2**doublings)
        return min(delay, self.cap)

    def is_stale(self, record: WrongGuesses, now: datetime) -> bool:
        return record.last_failure_at <= now - self.forget_after
