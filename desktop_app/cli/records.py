"""`facegate attendance export`: the attendance records of a date range as CSV."""

from __future__ import annotations

import argparse
import sys

from core.errors import FaceGateError
from desktop_app.cli.common import open_store, require_pin
from desktop_app.cli.options import day


def add_attendance(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("attendance", help="attendance records")
    records = p.add_subparsers(dest="action", required=True)
    p = records.add_parser("export", help="write the events of a date range as CSV")
    p.add_argument("--from", dest="start", type=day, required=True, metavar="DATE")
    p.add_argument("--to", dest="end", type=day, required=True, metavar="DATE", help="inclusive")
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE.csv",
        help="the CSV file to write, or - for standard output. A file is replaced only once complete and keeps "
        "its permissions (a new one is private, 0600); a device or FIFO is written in place; a symbolic link "
        "is refused (give the file it points to)",
    )
    p.set_defaults(func=export)


def export(args: argparse.Namespace) -> int:
    from core.days import day_range

    if args.end < args.start:
        raise FaceGateError("--to is before --from")
    to_stdout = args.out == "-"
    with open_store(read_only=True) as store:
        require_pin(store)
        if to_stdout:
            count = store.write_csv(sys.stdout, *day_range(args.start, args.end))
            # A full disk under standard output is reported before the line that says all went well.
            sys.stdout.flush()
        else:
            count = store.export_csv(args.out, *day_range(args.start, args.end))
    # With --out -, standard output is the CSV alone.
    print(
        f"wrote {count} event{'' if count == 1 else 's'} to {'standard output' if to_stdout else args.out}",
        file=sys.stderr if to_stdout else sys.stdout,
    )
    return 0
