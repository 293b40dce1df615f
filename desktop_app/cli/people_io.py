"""`facegate people import` and `facegate people export`: many people in from a CSV and their
photos, all or nothing; the people list out as CSV or JSON, without face data."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import FaceGateError
from desktop_app.cli.common import face_pipeline, open_store, require_pin
from desktop_app.cli.options import model_options

if TYPE_CHECKING:
    from core.enrol.bulk import PlannedRow

BAR_WIDTH = 30


def add_jobs(jobs: argparse._SubParsersAction) -> None:
    """The two jobs under `facegate people`."""
    p = jobs.add_parser(
        "import",
        parents=[model_options()],
        help="enrol everyone in a CSV (columns name,photo[,group,external_id,active]) or nobody; asks for the PIN",
        epilog="photo: one or more files, separated by ;, relative to --photos. Every row is checked first "
        "(files, one usable face each, names and external ids unique); one bad row stops the import and is named.",
    )
    p.add_argument("file", metavar="FILE.csv")
    p.add_argument(
        "--photos", metavar="DIR", type=Path, help="the folder photo names are relative to (default: FILE's)"
    )
    p.add_argument("--dry-run", action="store_true", help="check every row and print the plan; store nothing")
    p.set_defaults(func=import_people)
    p = jobs.add_parser(
        "export",
        help="write the people list (name, photo names, group, external id, active; no face data); asks for the PIN",
    )
    p.add_argument(
        "--out",
        default="-",
        metavar="FILE",
        help="the file to write (replaced only once complete; a new one is private), or - for standard output (default)",
    )
    p.add_argument("--format", choices=("csv", "json"), help="default: json for a .json FILE, else csv")
    p.set_defaults(func=export_people)


def _progress(done: int, total: int, row: PlannedRow) -> None:
    """A bar redrawn in place on a terminal; elsewhere (a log, a pipe) one line per row."""
    if sys.stderr.isatty():
        filled = BAR_WIDTH * done // total
        end = "\n" if done == total else ""
        print(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} rows", end=end, file=sys.stderr)
    else:
        print(f"checked {done}/{total}: {row.report()}", file=sys.stderr)
    sys.stderr.flush()


def import_people(args: argparse.Namespace) -> int:
    from core.enrol.bulk import plan_import, read_rows, run_import
    from core.enrol.enroller import Enroller

    rows = read_rows(args.file)
    photos = args.photos if args.photos is not None else Path(args.file).parent
    if not photos.is_dir():
        raise FaceGateError(f"the photo folder {photos} does not exist")
    pipeline = face_pipeline(args)
    with open_store() as store:
        require_pin(store)
        enroller = Enroller(store, pipeline)
        plan = plan_import(enroller, rows, photos, _progress)
        for row in plan.rows:
            print(row.report())
        if plan.bad:
            raise FaceGateError(plan.refusal())
        faces = sum(len(r.samples) for r in plan.rows)
        if args.dry_run:
            print(f"dry run: {len(plan.rows)} people ({faces} photos) would be enrolled; nothing was stored")
            return 0
        done = run_import(enroller, plan)
    print(f"imported {len(done)} people ({faces} photos)")
    return 0


def export_people(args: argparse.Namespace) -> int:
    from core.enrol.bulk import export_people, format_of, write_people

    to_stdout = args.out == "-"
    fmt = format_of(None if to_stdout else args.out, args.format)
    with open_store(read_only=True) as store:
        require_pin(store)
        if to_stdout:
            count = write_people(store, sys.stdout, fmt)
            sys.stdout.flush()
        else:
            count = export_people(store, args.out, fmt)
    print(
        f"wrote {count} {'person' if count == 1 else 'people'} to {'standard output' if to_stdout else args.out}",
        file=sys.stderr if to_stdout else sys.stdout,
    )
    return 0
