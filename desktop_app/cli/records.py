"""`facegate attendance export`: attendance of a date range as CSV, the events (check-ins and outs),
the daily summary or the unlocks, for everyone or one person or group, as the Attendance page
exports them."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from core.errors import FaceGateError
from desktop_app.cli.common import named_person, open_store, require_pin
from desktop_app.cli.options import date_range, label


def add_attendance(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("attendance", help="attendance records")
    records = p.add_subparsers(dest="action", required=True)
    p = records.add_parser(
        "export", help="write the check-ins and outs (or the daily summary, or the unlocks) of a date range as CSV"
    )
    date_range(p, required=False)
    p.add_argument("--person", metavar="PERSON", help="only this person: name or #id (see facegate people)")
    p.add_argument("--group", type=label("group"), help="only the people in this group")
    kind = p.add_mutually_exclusive_group()
    kind.add_argument(
        "--summary",
        action="store_true",
        help="one row per person and day: first in, last out (a night shift belongs to the day it began)",
    )
    kind.add_argument("--unlock", action="store_true", help="the unlock events instead of the check-ins and outs")
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

    first, last = args.start or date.min, args.end or date.max
    if last < first:
        raise FaceGateError("--to is before --from")
    start, end = day_range(first, last)
    to_stdout = args.out == "-"
    with open_store(read_only=True) as store:
        require_pin(store)
        person_id = named_person(store, args.person).id if args.person else None
        if args.group is not None and args.group not in {p.group for p in store.list_people(include_inactive=True)}:
            raise FaceGateError(f"nobody is in the group {args.group!r}: see facegate people")
        if args.summary:
            max_shift_s = store.load_settings().max_shift_s
            options = {"max_shift_s": max_shift_s, "person_id": person_id, "group": args.group}
            if to_stdout:
                count = store.write_summary_csv(sys.stdout, start, end, **options)
            else:
                count = store.export_summary_csv(args.out, start, end, **options)
        elif to_stdout:
            count = store.write_csv(sys.stdout, start, end, person_id, args.group, args.unlock)
        else:
            count = store.export_csv(args.out, start, end, person_id, args.group, args.unlock)
        # A full disk under standard output is reported before the line that says all went well.
        sys.stdout.flush()
    what = "person-day" if args.summary else "unlock event" if args.unlock else "event"
    # With --out -, standard output is the CSV alone.
    print(
        f"wrote {count} {what}{'' if count == 1 else 's'} to {'standard output' if to_stdout else args.out}",
        file=sys.stderr if to_stdout else sys.stdout,
    )
    return 0
