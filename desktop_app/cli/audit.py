"""`facegate audit`: the audit log of a date range (enrolments, deletions, PIN failures, refused
photos, corrections, settings changes), on screen or as CSV."""

from __future__ import annotations

import argparse

from core.errors import FaceGateError
from desktop_app.cli.common import open_store, require_pin
from desktop_app.cli.options import date_range


def add_audit(sub: argparse._SubParsersAction) -> None:
    from core.store.audit import AUDIT_KINDS

    p = sub.add_parser("audit", help="the audit log of a date range, by kind; asks for the PIN")
    date_range(p, required=True)
    p.add_argument(
        "--kind",
        action="append",
        choices=AUDIT_KINDS,
        metavar="KIND",
        help=f"only entries of this kind (repeat for more): {', '.join(AUDIT_KINDS)}",
    )
    p.add_argument("--out", metavar="FILE.csv", help="write CSV to this file instead of lines on the screen")
    p.set_defaults(func=audit)


def audit(args: argparse.Namespace) -> int:
    from core.days import day_range
    from core.store.audit import audit_kind, write_audit_csv
    from core.store.export import write_output

    if args.end < args.start:
        raise FaceGateError("--to is before --from")
    with open_store(read_only=True) as store:
        require_pin(store)
        entries = store.audit_between(*day_range(args.start, args.end), kinds=args.kind)
    if args.out:
        count = write_output(args.out, lambda f: write_audit_csv(f, entries))
        print(f"wrote {count} audit entr{'y' if count == 1 else 'ies'} to {args.out}")
        return 0
    for e in entries:
        print(f"{e.time.astimezone():%Y-%m-%d %H:%M:%S}\t{audit_kind(e.action)}\t{e.actor}\t{e.action}\t{e.detail}")
    return 0
