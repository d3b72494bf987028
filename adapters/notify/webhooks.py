"""The webhook sender over aiohttp, refusing private targets unless allowed.

Callback URLs are checked when they are saved, but a public name can later
resolve to a private address (DNS rebinding), so the check that counts is
made here, for every delivery: the URL is checked again with
:mod:`vod_core.url_guard` (a URL stored before the rules tightened is
refused here), and the connection goes through
:func:`adapters.outbound.outbound_connector` (public peers only).

Redirects are not followed, so a public endpoint cannot bounce the
request to an internal one. Proxies from the environment are not used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver

from adapters.outbound import outbound_connector
from vod_core.ports.webhooks import WebhookFailed, WebhookSender
from vod_core.url_guard import UnsafeUrl, check_url

MAX_ANSWER_BYTES = 64 * 1024


class AiohttpWebhookSender(WebhookSender):
    def __init__(
        self, *, timeout_s: float = 10.0, allow_private: bool = False, resolver: AbstractResolver | None = None
    ) -> None:
        """``resolver`` replaces the system resolver (tests); private answers are still dropped."""
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._allow_private = allow_private
        self._resolver = resolver
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = outbound_connector(allow_private=self._allow_private, resolver=self._resolver)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self._timeout, headers={"User-Agent": "vod-webhooks/1"}, trust_env=False
            )
        return self._session

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            check_url(url, allow_private=self._allow_private)
        except UnsafeUrl as exc:
            raise WebhookFailed(f"not called: the callback URL {exc}") from None
        options: dict[str, Any] = {"data": body, "headers": dict(headers), "allow_redirects": False}
        try:
            async with self._open().post(url, **options) as response:
                await response.content.read(MAX_ANSWER_BYTES)  # the body is ignored; never buffer a huge one
                return response.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise WebhookFailed(str(exc) or type(exc).__name__) from exc

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
