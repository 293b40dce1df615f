"""`facegate report`: the attendance report of a date range as HTML, PDF or XLSX; and the roll-call
behind `facegate people --in`."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.errors import FaceGateError
from desktop_app.cli.common import named_person, open_store, require_pin
from desktop_app.cli.options import date_range, label

# As desktop_app.report_output.FORMATS, without importing Qt and openpyxl for --help.
FORMATS = ("html", "pdf", "xlsx")


def add_report(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="attendance report (per person, per day, charts) as HTML, PDF or XLSX; asks for the PIN",
        epilog="Hours run from the first check-in to the last check-out of a day; a day without a check-out "
        "counts 0 hours and is listed under 'no check-out'. Late and absent follow the working calendar: "
        "facegate settings set work_start 09:00 (also late_grace_min, working_days, holidays).",
    )
    date_range(p, required=True)
    p.add_argument("--person", metavar="PERSON", help="one person: name or #id")
    p.add_argument("--group", type=label("group"), help="the people of one group")
    p.add_argument("--format", choices=FORMATS, help="default: the suffix of --out")
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="the file to write; replaced only once complete, keeping its permissions (a new one is private, "
        "0600); a symbolic link is refused",
    )
    p.set_defaults(func=report)


def report(args: argparse.Namespace) -> int:
    from core.reports.figures import build_report
    from desktop_app.report_output import write_report

    if args.end < args.start:
        raise FaceGateError("--to is before --from")
    if args.person and args.group:
        raise FaceGateError("give --person or --group, not both")
    format = args.format or Path(args.out).suffix.lower().removeprefix(".")
    if format not in FORMATS:
        raise FaceGateError(f"say which format with --format {'|'.join(FORMATS)} (or end --out in .html, .pdf, .xlsx)")
    with open_store(read_only=True) as store:
        require_pin(store)
        person_id = named_person(store, args.person).id if args.person else None
        figures = build_report(store, args.start, args.end, person_id=person_id, group=args.group)
    size = write_report(figures, format, args.out)
    print(
        f"wrote the {format.upper()} report of {len(figures.people)} people over {len(figures.days)} days "
        f"to {args.out} ({size} bytes)"
    )
    return 0


def roll_call() -> int:
    """Who is in now: one line per person whose last event today is a check-in (for a fire drill)."""
    from core.reports.rollcall import who_is_in

    with open_store(read_only=True) as store:
        inside = who_is_in(store)
    for entry in inside:
        print(f"#{entry.person_id}\t{entry.name}\t{entry.group or '-'}\tin since {entry.since.astimezone():%H:%M}")
    print(f"{len(inside)} in now", flush=True)
    return 0
