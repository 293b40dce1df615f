"""`facegate attendance export`: attendance of a date range as CSV, the events (check-ins and outs),
the daily summary, the unlocks or the corrections' trail, for everyone or one person or group, as
the Attendance page exports them; `list`, `add`, `edit` and `void`: see and correct the events,
with the admin PIN and a reason (core.store.corrections)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING

from core.errors import FaceGateError
from desktop_app.cli.common import named_person, open_store, require_pin
from desktop_app.cli.options import date_range, label, moment

if TYPE_CHECKING:
    from core.store import CorrectedEvent

_REASON = "why the record is wrong (required; kept in the trail and the audit)"
_UID = "the event's id, or its first 6 or more hex digits (see facegate attendance list)"


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
    kind.add_argument(
        "--corrections",
        action="store_true",
        help="the corrections' trail: each added, moved or voided event, its old and new time, reason and actor",
    )
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE.csv",
        help="the CSV file to write, or - for standard output. A file is replaced only once complete and keeps "
        "its permissions (a new one is private, 0600); a device or FIFO is written in place; a symbolic link "
        "is refused (give the file it points to)",
    )
    p.set_defaults(func=export)

    p = records.add_parser("list", help="the check-ins and outs of a date range with their ids and corrections")
    date_range(p, required=False)
    p.add_argument("--person", metavar="PERSON", help="only this person: name or #id (see facegate people)")
    p.add_argument("--voided", action="store_true", help="show the voided events too")
    p.set_defaults(func=list_events)

    p = records.add_parser("add", help="add a check-in or check-out the kiosk missed (admin PIN; audited)")
    p.add_argument("person", metavar="PERSON", help="name or #id (see facegate people)")
    p.add_argument("kind", choices=("check-in", "check-out"), help="which event to add")
    p.add_argument("time", type=moment, metavar="TIME", help="local time, 'YYYY-MM-DD HH:MM'")
    p.add_argument("--reason", required=True, help=_REASON)
    p.set_defaults(func=add)

    p = records.add_parser("edit", help="change an event's time; the old time is kept (admin PIN; audited)")
    p.add_argument("uid", metavar="EVENT", help=_UID)
    p.add_argument("time", type=moment, metavar="TIME", help="the right local time, 'YYYY-MM-DD HH:MM'")
    p.add_argument("--reason", required=True, help=_REASON)
    p.set_defaults(func=edit)

    p = records.add_parser("void", help="void an event: kept with its trail, no longer attendance (admin PIN; audited)")
    p.add_argument("uid", metavar="EVENT", help=_UID)
    p.add_argument("--reason", required=True, help=_REASON)
    p.set_defaults(func=void)


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
        if args.corrections:
            if args.group is not None:
                raise FaceGateError("--corrections takes --person, not --group")
            if to_stdout:
                count = store.write_corrections_csv(sys.stdout, start, end, person_id)
            else:
                count = store.export_corrections_csv(args.out, start, end, person_id)
        elif args.summary:
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
    what = (
        "correction"
        if args.corrections
        else "person-day"
        if args.summary
        else "unlock event"
        if args.unlock
        else "event"
    )
    # With --out -, standard output is the CSV alone.
    print(
        f"wrote {count} {what}{'' if count == 1 else 's'} to {'standard output' if to_stdout else args.out}",
        file=sys.stderr if to_stdout else sys.stdout,
    )
    return 0


def list_events(args: argparse.Namespace) -> int:
    from core.days import day_range

    start, end = day_range(args.start or date.min, args.end or date.max)
    with open_store(read_only=True) as store:
        require_pin(store)
        person_id = named_person(store, args.person).id if args.person else None
        for c in store.corrected_events(start, end, person_id, voided=args.voided):
            e = c.event
            print(f"{e.time.astimezone():%Y-%m-%d %H:%M}\t{e.kind}\t{e.name}\t{e.uid[:8]}\t{_marker(c)}".rstrip("\t"))
    return 0


def _marker(c: CorrectedEvent) -> str:
    marks = ["added"] if c.added else []
    if c.original_time is not None:
        marks.append(f"edited (was {c.original_time.astimezone():%Y-%m-%d %H:%M})")
    if c.voided:
        marks.append("voided")
    return ", ".join(marks)


def add(args: argparse.Namespace) -> int:
    with open_store() as store:
        require_pin(store, always=True)
        person = named_person(store, args.person)
        e = store.add_attendance(person.id, args.kind, args.time, args.reason, actor="cli")
    print(f"added {e.kind} of {e.name} at {e.time.astimezone():%Y-%m-%d %H:%M} (event {e.uid[:8]})")
    return 0


def edit(args: argparse.Namespace) -> int:
    with open_store() as store:
        require_pin(store, always=True)
        e = store.edit_attendance(args.uid, args.time, args.reason, actor="cli")
    print(f"moved {e.kind} of {e.name} to {e.time.astimezone():%Y-%m-%d %H:%M} (event {e.uid[:8]})")
    return 0


def void(args: argparse.Namespace) -> int:
    with open_store() as store:
        require_pin(store, always=True)
        e = store.void_attendance(args.uid, args.reason, actor="cli")
    print(f"voided {e.kind} of {e.name} at {e.time.astimezone():%Y-%m-%d %H:%M} (event {e.uid[:8]})")
    return 0
