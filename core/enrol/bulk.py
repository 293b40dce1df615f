"""People in and out: a CSV of people and their photos enrolled all or nothing, and the people list
written back out (CSV or JSON, no face data).

Every row is checked before anything is stored (its name, its external id, each photo through the
enrolment gates and the verifier's review, Enroller), then all rows are stored in one transaction
(Store.enrol_all), so a bad row, or a failure half way, leaves the database as it was.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from core.enrol.enroller import Enroller, Sample
from core.errors import FaceGateError, ImageError
from core.store import Store
from core.store.export import _cell, write_output
from core.store.labels import check_length, name_key
from core.store.people import checked_person
from core.store.records import Enrolment, Person
from core.store.schema import DETAIL_LEN

# The columns a people CSV has, in the order an export writes them; an import needs name and photo.
COLUMNS = ("name", "photo", "group", "external_id", "active")
REQUIRED = ("name", "photo")
PHOTO_SEPARATOR = ";"
_YES, _NO = ("", "yes", "true", "1", "active"), ("no", "false", "0", "inactive", "deactivated")
FORMATS = ("csv", "json")


@dataclass(frozen=True)
class Row:
    """One person of the file, as written there; number: the spreadsheet's row number (header is 1)."""

    number: int
    name: str
    photos: tuple[str, ...]
    group: str | None = None
    external_id: str | None = None
    active: bool = True
    problem: str | None = None  # what is wrong with its cells as written


@dataclass
class PlannedRow:
    """A row checked: the samples its photos gave, or the first problem that stops it."""

    row: Row
    samples: list[Sample] = field(default_factory=list)
    problem: str | None = None

    def report(self) -> str:
        what = f"row {self.row.number} ({self.row.name or 'no name'})"
        if self.problem:
            return f"{what}: {self.problem}"
        return f"{what}: {len(self.samples)} photo{'s' * (len(self.samples) != 1)} ok"


@dataclass(frozen=True)
class ImportPlan:
    rows: list[PlannedRow]

    @property
    def bad(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.problem]

    def refusal(self) -> str:
        """The one line that says which rows stop the import."""
        bad = self.bad
        return f"{len(bad)} of {len(self.rows)} rows cannot be enrolled, so nothing was: " + "; ".join(
            r.report() for r in bad
        )


def _header(name: str) -> str:
    return (
        "_".join(name.strip().lower().replace("-", " ").split()).removesuffix("s").replace("externalid", "external_id")
    )


def _uncell(text: str | None) -> str:
    """A cell as an export wrote it: without the quote that keeps a spreadsheet from running it."""
    text = (text or "").strip()
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@") else text


def read_rows(path: str | Path) -> list[Row]:
    """The rows of a people CSV; FaceGateError for a file that is not one (its header is checked
    here, each row's content by plan_import)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise FaceGateError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise FaceGateError(f"{path} is not UTF-8 text: save it from the spreadsheet as CSV UTF-8") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [_header(h) for h in next(reader, [])]
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if unknown or missing or len(set(header)) < len(header):
        raise FaceGateError(
            f"{path} needs a header row with the columns name and photo, optionally group, external_id and active"
            + (f" (unknown: {', '.join(unknown)})" if unknown else "")
            + (f" (missing: {', '.join(missing)})" if missing else "")
        )
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue  # a blank line, as spreadsheets leave at the end
        values = dict(zip(header, (_uncell(c) for c in cells)))
        photos = tuple(p.strip() for p in values.get("photo", "").split(PHOTO_SEPARATOR) if p.strip())
        active = values.get("active", "").lower()
        problem = None
        if len(cells) > len(header):
            problem = f"{len(cells)} cells for {len(header)} columns (a name or photo with an unquoted comma?)"
        elif active not in _YES + _NO:
            problem = f"active is {active!r}: write yes or no"
        name = values.get("name", "")
        group, external_id = values.get("group") or None, values.get("external_id") or None
        rows.append(Row(number, name, photos, group, external_id, active not in _NO, problem))
    if not rows:
        raise FaceGateError(f"{path} lists nobody: put one person per row under the header name,photo")
    return rows


def _row_problem(
    row: Row, names: dict[str, int], ids: dict[str, int], taken: dict[str, Person], taken_ids: dict[str, Person]
) -> str | None:
    """What is wrong with the row's own cells, given the names and ids of the rows before it and of
    the people enrolled; None when nothing is."""
    if row.problem:
        return row.problem
    if not row.photos:
        return "no photo: list one or more files in the photo column, separated by ;"
    try:
        values = checked_person(row.name, row.external_id, row.group)
        for photo in row.photos:
            check_length("photo name", photo, DETAIL_LEN)
    except FaceGateError as exc:
        return str(exc)
    key, external_id = values["name_key"], values["external_id"]
    if key in names:
        return f"the same name as row {names[key]}"
    if external_id and external_id in ids:
        return f"the same external id as row {ids[external_id]}"
    if key in taken:
        return f"{taken[key].name} (#{taken[key].id}) is already enrolled"
    if external_id and external_id in taken_ids:
        holder = taken_ids[external_id]
        return f"external id {external_id} is already {holder.name}'s (#{holder.id})"
    names[key] = row.number
    if external_id:
        ids[external_id] = row.number
    return None


def _assess(enroller: Enroller, row: Row, photos_dir: Path) -> PlannedRow:
    planned = PlannedRow(row)
    for photo in row.photos:
        try:
            assessment = enroller.assess(photos_dir / photo, detail=photo)
        except ImageError as exc:
            planned.problem = f"photo {photo}: {exc}"
            return planned
        if assessment.sample is None:
            planned.problem = f"photo {photo}: {assessment.reason}"
            return planned
        planned.samples.append(assessment.sample)
    review = enroller.review(planned.samples, row.name)
    if review:
        planned.problem = review.describe(planned.samples)
    return planned


def plan_import(
    enroller: Enroller,
    rows: Sequence[Row],
    photos_dir: str | Path,
    progress: Callable[[int, int, PlannedRow], None] | None = None,
) -> ImportPlan:
    """Every row checked, nothing stored: photos (relative to photos_dir, or absolute) through the
    enrolment gates, one usable face each, and the verifier's review (faces of one person, nobody
    enrolled already); names and external ids valid and unique; no two rows' faces alike (one person
    under two names). progress(done, total, row) after each row's own checks."""
    enrolled = enroller.store.list_people(include_inactive=True)
    taken = {name_key(p.name): p for p in enrolled}
    taken_ids = {p.external_id: p for p in enrolled if p.external_id}
    names: dict[str, int] = {}
    ids: dict[str, int] = {}
    planned = []
    for done, row in enumerate(rows, start=1):
        problem = _row_problem(row, names, ids, taken, taken_ids)
        checked = PlannedRow(row, problem=problem) if problem else _assess(enroller, row, Path(photos_dir))
        planned.append(checked)
        if progress:
            progress(done, len(rows), checked)
    ok = [p for p in planned if not p.problem]
    for i, j, similarity in enroller.alike_batches([p.samples for p in ok]):
        other = ok[j].row
        ok[i].problem = (
            f"these faces look like row {other.number}'s ({other.name}, similarity {similarity:.2f}): "
            "the same person twice?"
        )
    return ImportPlan(planned)


def run_import(enroller: Enroller, plan: ImportPlan) -> list[Enrolment]:
    """Stores a plan with no bad row, everyone in one transaction; FaceGateError, nothing stored, else."""
    if plan.bad:
        raise FaceGateError(plan.refusal())
    batch = [
        enroller.enrolment(
            p.samples,
            "photo",
            name=p.row.name,
            group=p.row.group,
            external_id=p.row.external_id,
            active=p.row.active,
        )
        for p in plan.rows
    ]
    return enroller.store.enrol_all(batch)


# ------------------------------------------------------------------------------------ export


def people_rows(store: Store) -> Iterator[dict[str, Any]]:
    """Everyone, active or not, by name, with the photos they were enrolled from (names only)."""
    photos = store.photo_sources()
    for p in store.list_people(include_inactive=True):
        yield {
            "name": p.name,
            "photo": photos.get(p.id, []),
            "group": p.group,
            "external_id": p.external_id,
            "active": p.active,
        }


def write_people(store: Store, out: TextIO, fmt: str) -> int:
    """The people list to an open text stream as CSV (what an import reads back) or JSON; returns
    how many people."""
    rows = list(people_rows(store))
    if fmt == "json":
        out.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        return len(rows)
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for r in rows:
        photos = PHOTO_SEPARATOR.join(r["photo"])
        writer.writerow(
            [
                _cell(r["name"]),
                _cell(photos),
                _cell(r["group"]),
                _cell(r["external_id"]),
                "yes" if r["active"] else "no",
            ]
        )
    return len(rows)


def export_people(store: Store, path: str | Path, fmt: str) -> int:
    """write_people to a file, replaced only once complete (core.store.export.write_output)."""
    if fmt == "json":
        # JSON must not start with the byte-order mark write_output's CSV stream adds for Excel:
        # the bytes go under the text layer, which writes its mark only with its first text.
        return write_output(path, lambda f: _json_bytes(store, f))
    return write_output(path, lambda f: write_people(store, f, fmt))


def _json_bytes(store: Store, f: TextIO) -> int:
    text = io.StringIO()
    count = write_people(store, text, "json")
    f.buffer.write(text.getvalue().encode())
    return count


def format_of(path: str | Path | None, fmt: str | None) -> str:
    """The format asked for, else the file's extension's, else CSV."""
    if fmt:
        return fmt
    return "json" if path is not None and Path(path).suffix.lower() == ".json" else "csv"
