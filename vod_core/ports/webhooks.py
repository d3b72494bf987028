"""Sending one webhook request: the outbox dispatcher's only view of the network."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class WebhookFailed(Exception):
    """No HTTP answer: timeout, connection refused, or a target the sender refuses to contact."""


class WebhookSender(Protocol):
    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """POST ``body`` with ``headers`` to ``url`` and return the HTTP status.

        Redirects are not followed (a 3xx is just a non-2xx answer). Raises
        :class:`WebhookFailed` when no answer arrives in time.
        """
        ...
