"""`facegate report` on a generated month of 20 people: the HTML, the XLSX and the PDF each carry
exactly the figures the month was built with."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from PIL import Image

from desktop_app.cli.main import main
from tests.reports.month import FIRST, LAST, PEOPLE, working

MONTH = ["--from", FIRST.isoformat(), "--to", LAST.isoformat()]
DAYS = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]


def person_row(want) -> list[str]:
    """A per-person row as the HTML and PDF write it."""
    return [
        want.name,
        want.group,
        str(want.days_present),
        f"{want.hours:.2f}",
        str(want.no_check_out),
        str(want.late),
        str(want.absent),
    ]


class _Tables(HTMLParser):
    """The text of each table's cells, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_the_month_has_what_the_figures_need(month):
    _, expected = month
    assert len(expected) == PEOPLE
    # Every kind of figure varies between people, so a figure read from the wrong row shows.
    for figure in ("days_present", "hours", "no_check_out", "late", "absent"):
        assert len({getattr(w, figure) for w in expected.values()}) > 1, figure


def test_html_report_shows_each_persons_and_each_days_figures(month_cli, tmp_path, capsys):
    out = tmp_path / "march.html"
    assert main(["report", *MONTH, "--format", "html", "--out", str(out)]) == 0
    assert f"report of {PEOPLE} people over 31 days" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    tables = _Tables()
    tables.feed(page)
    people, days = tables.tables
    assert people[0] == ["Person", "Group", "Days present", "Hours", "No check-out", "Late", "Absent"]
    assert people[1:] == [person_row(month_cli[name]) for name in sorted(month_cli)]
    for row, day in zip(days[1:], DAYS, strict=True):
        present = sorted(w.name for w in month_cli.values() if day in w.present_on)
        assert row == [
            day.isoformat(),
            day.strftime("%a"),
            "yes" if working(day) else "no",
            str(len(present)),
            ", ".join(present),
        ]
    # Self-contained: the three charts inline, nothing fetched.
    assert page.count("<svg") == 3
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)
    assert "A day without a check-out counts 0 hours" in page


def test_xlsx_report_has_the_same_numbers_one_sheet_per_view(month_cli, tmp_path):
    out = tmp_path / "march.xlsx"
    assert main(["report", *MONTH, "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Per person", "Per day", "About"]
    rows = list(book["Per person"].iter_rows(values_only=True))
    assert rows[1:] == [
        (w.name, w.group, w.days_present, pytest.approx(w.hours), w.no_check_out, w.late, w.absent)
        for w in (month_cli[name] for name in sorted(month_cli))
    ]
    present = [row[3] for row in book["Per day"].iter_rows(min_row=2, values_only=True)]
    assert present == [sum(day in w.present_on for w in month_cli.values()) for day in DAYS]


def test_pdf_report_renders_on_a4_with_the_figures(month_cli, tmp_path):
    out = tmp_path / "march.pdf"
    assert main(["report", *MONTH, "--format", "pdf", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595(\.\d+)? x 84[12](\.\d+)? pts \(A4\)", info), info
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    for want in month_cli.values():
        assert re.search(r"\s+".join(map(re.escape, person_row(want))), text), want.name
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")], check=True)
    page = Image.open(tmp_path / "page-1.png").convert("L")
    assert page.size == (414, 585)  # A4 at 50 dpi
    assert page.getextrema()[0] < 64  # ink on the page, not a blank sheet


def test_pdf_report_from_a_bare_shell_needs_no_display_and_says_nothing_on_stderr(month, tmp_path):
    # No QT_QPA_PLATFORM, no DISPLAY, no locale: the CLI makes its own offscreen Qt application.
    url, expected = month
    out = tmp_path / "march.pdf"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "FACEGATE_DB": url,
        "FACEGATE_KEY_FILE": os.environ["FACEGATE_KEY_FILE"],
    }
    made = subprocess.run(
        [sys.executable, "-m", "desktop_app.cli", "report", *MONTH, "--out", str(out)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0 and made.stderr == "", made.stderr
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert re.search(r"\s+".join(map(re.escape, person_row(expected["Person 07"]))), text)


def test_report_of_one_group_or_one_person(month_cli, tmp_path):
    office = tmp_path / "office.xlsx"
    assert main(["report", *MONTH, "--group", "Office", "--out", str(office)]) == 0
    names = [row[0] for row in openpyxl.load_workbook(office)["Per person"].iter_rows(min_row=2, values_only=True)]
    assert names == sorted(w.name for w in month_cli.values() if w.group == "Office")
    one = tmp_path / "one.xlsx"
    assert main(["report", *MONTH, "--person", "person 03", "--out", str(one)]) == 0
    rows = list(openpyxl.load_workbook(one)["Per person"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == ["Person 03"] and rows[0][2] == month_cli["Person 03"].days_present


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--out", "r.txt"], "say which format"),
        (["--person", "Nobody", "--out", "r.html"], "nobody called 'Nobody'"),
        (["--group", "Office", "--person", "#1", "--out", "r.html"], "not both"),
    ],
)
def test_report_refuses_in_one_line(month_cli, tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    assert main(["report", *MONTH, *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("facegate: ") and message in err and err.count("\n") == 1
    assert list(tmp_path.glob("r.*")) == []


@pytest.mark.parametrize(
    "argv, message",
    [
        (["report", "--from", "2025-03-31", "--to", "2025-03-01", "--out", "r.pdf"], "before"),
        (["report", "--from", "2025-03-01", "--to", "2025-03-31", "--format", "pdf", "--out", "."], "folder"),
        (["report", "--from", "2025-03-01", "--to", "2025-03-31", "--out", "no/such/r.pdf"], "cannot write"),
        (["audit", "--from", "2025-03-01", "--to", "2025-03-31", "--kind", "gossip"], "invalid choice"),
        (["audit", "--from", "2025-03-31", "--to", "2025-03-01"], "before"),
    ],
)
def test_bad_report_and_audit_arguments_exit_2_in_one_line(month_cli, tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) if message == "invalid choice" else contextlib.nullcontext():
        assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == []
