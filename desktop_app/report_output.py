"""A report written to a file in one of its formats, as safely as the CSV export writes its own:
the one place that maps a format to its renderer (the PDF's is Qt's, so it lives in desktop_app)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from core.reports.figures import Report
from core.reports.render_html import render_html
from core.reports.render_xlsx import render_xlsx
from core.store.export import write_output
from desktop_app.report_pdf import render_pdf

RENDERERS: dict[str, Callable[[Report], bytes]] = {
    "html": lambda report: render_html(report).encode("utf-8"),
    "pdf": render_pdf,
    "xlsx": render_xlsx,
}
FORMATS = tuple(RENDERERS)


def write_report(report: Report, format: str, path: str | Path) -> int:
    """Renders the report (before the file is touched, so a failure leaves any earlier file as it
    was) and writes it through the Store's write_output: replaced once complete, private when new,
    never through a symbolic link. Returns the bytes written."""
    data = RENDERERS[format](report)

    def write(out: TextIO) -> int:
        # Bytes under the text stream write_output opens: nothing was written through its
        # text layer, so no byte-order mark precedes the file's own first bytes.
        out.flush()
        return out.buffer.write(data)

    return write_output(path, write)
