"""Send rows as a CSV attachment while they are produced, never holding the whole file.

Rows are encoded in small batches with the stdlib ``csv`` module (quoting,
embedded commas and newlines handled) and sent as chunks of one streamed
response, so memory stays constant however many rows the query yields.

Text cells that a spreadsheet would read as a formula (starting with
``= + - @``, tab or carriage return) get a leading ``'`` (OWASP "CSV
injection"): a video named ``=HYPERLINK(...)`` is shown, never run.
Numbers are written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterable, Sequence

from sanic import Request

ROWS_PER_CHUNK = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value``, with text a spreadsheet would evaluate turned into plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


async def send_csv(
    request: Request, filename: str, header: Sequence[str], rows: AsyncIterable[Sequence[object]]
) -> None:
    response = await request.respond(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    pending = 1
    async for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        pending += 1
        if pending >= ROWS_PER_CHUNK:
            await response.send(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    await response.send(buffer.getvalue().encode("utf-8"), end_stream=True)
