"""Delivering outbox events to the users' callback URLs (webhooks).

At-least-once: an event is claimed for a short lease, sent, and marked
``DELIVERED`` only after a 2xx answer; a crash between the answer and the
mark resends it with the same ``X-VOD-Delivery`` id, so receivers can
de-duplicate. Once marked, it is never sent again.

An event whose category has no callback URL when it is due is marked
``DELIVERED`` with ``delivered_at`` left empty and the reason in
``last_error`` ("skipped"): callbacks configured later receive only later
events, like a subscription, and the outbox does not keep growing for
users who never configured one.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from vod_core.errors import InternalError
from vod_core.events import DeliveryState, OutboxEvent
from vod_core.ports.unit_of_work import UnitOfWork
from vod_core.ports.webhooks import WebhookFailed, WebhookSender
from vod_core.services.context import Context
from vod_core.services.failures import fails_as

log = logging.getLogger(__name__)

SKIPPED = "skipped: no callback URL configured for this event category"


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter; an event is given up only after ``give_up_after``.

    ``lease`` is how long a claimed event is hidden from other dispatchers
    while it is being sent; it must exceed the sender's timeout.
    """

    first_delay: timedelta = timedelta(seconds=10)
    max_delay: timedelta = timedelta(hours=1)
    give_up_after: timedelta = timedelta(hours=24)
    lease: timedelta = timedelta(minutes=2)

    def delay(self, attempts: int, jitter: float) -> timedelta:
        """Delay before try ``attempts + 1``; ``jitter`` in [0, 1) spreads it over 50–100 %."""
        base: timedelta = min(self.max_delay, self.first_delay * 2 ** min(attempts - 1, 30))
        return base * (0.5 + jitter / 2)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-VOD-Signature`` value: ``t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def encode_payload(payload: Mapping[str, object]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class _Claimed:
    event: OutboxEvent
    url: str
    secret: str


class Notifications:
    def __init__(
        self,
        ctx: Context,
        sender: WebhookSender,
        *,
        policy: RetryPolicy | None = None,
        batch_size: int = 100,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._ctx = ctx
        self._sender = sender
        self._policy = policy or RetryPolicy()
        self._batch_size = batch_size
        self._jitter = jitter

    # Webhook events have no contract code of their own (they are not videos or play sets).
    @fails_as(InternalError)
    async def deliver_due(self) -> int:
        """Send every event whose next attempt is due (concurrently); returns how many were handled."""
        claimed, skipped = await self._claim_due()
        await asyncio.gather(*(self._deliver(c) for c in claimed))
        return len(claimed) + skipped

    async def _claim_due(self) -> tuple[list[_Claimed], int]:
        now = self._ctx.clock.now()
        claimed: list[_Claimed] = []
        skipped = 0
        async with self._ctx.uow() as uow:
            for event in await uow.outbox.due(now, self._batch_size):
                url, secret = await self._target(uow, event)
                if url:
                    event.next_attempt_at = now + self._policy.lease
                    claimed.append(_Claimed(event, url, secret))
                else:
                    event.state, event.last_error = DeliveryState.DELIVERED, SKIPPED
                    skipped += 1
                await uow.outbox.update(event)
            await uow.commit()
        return claimed, skipped

    @staticmethod
    async def _target(uow: UnitOfWork, event: OutboxEvent) -> tuple[str, str]:
        """The callback URL of the event's category and the signing secret ("" when none)."""
        settings = await uow.settings.get(event.user_id)
        if settings is None:
            return "", ""
        return settings.callbacks.get(event.category, ""), settings.webhook_secret

    async def _deliver(self, claimed: _Claimed) -> None:
        event = claimed.event
        body = encode_payload(event.payload)
        headers = {
            "Content-Type": "application/json",
            "X-VOD-Event": event.event_type,
            "X-VOD-Delivery": event.id,
            "X-VOD-Signature": signature(claimed.secret, int(self._ctx.clock.now().timestamp()), body),
        }
        try:
            status = await self._sender.post(claimed.url, body, headers)
            error = "" if 200 <= status < 300 else f"HTTP {status}"
        except WebhookFailed as exc:
            error = f"no answer: {exc}"
        except Exception as exc:
            log.exception("sending event %s failed unexpectedly", event.id)
            error = f"send failed: {exc!r}"
        await self._record(event, error[:500])

    async def _record(self, event: OutboxEvent, error: str) -> None:
        now = self._ctx.clock.now()
        event.attempts += 1
        event.last_error = error
        if not error:
            event.state, event.delivered_at = DeliveryState.DELIVERED, now
        elif self._expired(event, now):
            event.state = DeliveryState.DEAD
            log.warning(
                "event %s of user %s is dead after %d attempts: %s", event.id, event.user_id, event.attempts, error
            )
        else:
            event.next_attempt_at = now + self._policy.delay(event.attempts, self._jitter())
        async with self._ctx.uow() as uow:
            await uow.outbox.update(event)
            await uow.commit()

    def _expired(self, event: OutboxEvent, now: datetime) -> bool:
        return now - event.created_at >= self._policy.give_up_after
