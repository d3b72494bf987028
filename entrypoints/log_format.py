"""Log output of every ``vod`` command: plain lines, or one JSON object per line (``VOD_LOG_FORMAT=json``)."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
EXTRA_FIELDS = ("request_id", "method", "path", "status", "duration_ms")
"""Fields the request log passes as ``extra``; they become keys of the JSON object."""


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for field in EXTRA_FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """:data:`TEXT_FORMAT`, with the date and time of ``asctime`` formatted once per second.

    The request log writes a line per request; ``strftime`` of the same
    second for each of them was most of the cost of formatting one. The
    text is what :class:`logging.Formatter` writes, to the millisecond.
    """

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)
        self._second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        second, stamp = self._second
        if int(record.created) != second:
            second = int(record.created)
            stamp = time.strftime(self.default_time_format, self.converter(record.created))
            self._second = (second, stamp)  # one assignment: threads logging at once see a matching pair
        return f"{stamp},{int(record.msecs):03d}"  # logging.Formatter.default_msec_format, "%s,%03d"


def formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure_logging(log_format: str) -> None:
    """Replace the root handlers by one on stderr in ``log_format`` (``text`` or ``json``).

    Records leave out the thread and multiprocessing names (neither format
    shows them): looking them up was a good part of making a record, which
    the request log does once per request (the logging HOWTO's
    "Optimization" section names these switches).
    """
    logging.logThreads = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(log_format))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
