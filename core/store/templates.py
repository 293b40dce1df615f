"""Face templates: enrolment, the gallery a kiosk matches against, and templates a new model must
recompute. Embeddings and crops are sealed in the database and plain outside it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from typing import Any, Concatenate, ParamSpec, TypeVar

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.errors import StoreError
from core.store.engine import Database
from core.store.keys import FaceSeal, open_embeddings
from core.store.labels import check_length
from core.store.people import checked_person, holder_of, new_person, person_record, person_row
from core.store.records import Enrolment, TemplateInfo
from core.store.schema import DETAIL_LEN, MODEL_LEN, SOURCES, VERSION_LEN, PersonRow, TemplateRow, utc_now
from core.store.site import note_change, write_audit

log = logging.getLogger(__name__)


def _each(value: Any, n: int, what: str) -> list[Any]:
    """One value for every template, or a sequence with one per template."""
    if value is None or isinstance(value, (str, bytes)) or np.ndim(value) == 0:
        return [value] * n
    values = list(value)
    if len(values) != n:
        raise ValueError(f"{len(values)} {what} for {n} embeddings")
    return values


def _made_with(model_id: str | Collection[str], model_version: str | None) -> Any:
    """Rows made with model_id (or any of several ids, the models a site runs together)."""
    made = TemplateRow.model_id == model_id if isinstance(model_id, str) else TemplateRow.model_id.in_(list(model_id))
    return made if model_version is None else made & (TemplateRow.model_version == model_version)


def _info(row: TemplateRow, name: str, has_crop: bool) -> TemplateInfo:
    return TemplateInfo(
        row.id,
        row.person_id,
        name,
        row.model_id,
        row.model_version,
        row.quality,
        row.source,
        row.source_detail,
        row.created_at,
        bool(has_crop),
    )


def _matrix(embeddings: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
    matrix = np.asarray(embeddings, dtype="<f4")
    matrix = matrix[None] if matrix.ndim == 1 else matrix
    if matrix.ndim != 2 or not matrix.size:
        raise ValueError("embeddings must be a non-empty N x D array")
    return matrix


P = ParamSpec("P")
T = TypeVar("T")


def _in_one_transaction(
    make: Callable[Concatenate[Templates, P], Callable[[Session], T]],
) -> Callable[Concatenate[Templates, P], T]:
    """The method that runs the unit of work `make` builds, as one write transaction."""

    def run(self: Templates, *args: P.args, **kwargs: P.kwargs) -> T:
        return self._run(make(self, *args, **kwargs), write=True)

    return run


class Templates(Database):
    _seal: FaceSeal  # set once the database is open (keys.unlock_face_data)

    def enrol_all(self, batch: Sequence[dict[str, Any]]) -> list[Enrolment]:
        """Several new people, each given as enrol()'s keyword arguments, in one transaction: all
        are stored or none (a bulk import). StoreError, with nothing stored, if one of the names
        was taken meanwhile (by another window or kiosk)."""
        works = [self.enrolment(**kwargs) for kwargs in batch]

        def work(s: Session) -> list[Enrolment]:
            done = []
            for each in works:
                enrolled = each(s)
                if not enrolled.created:
                    raise StoreError(f"{enrolled.person.name} was enrolled meanwhile (by another window?)")
                done.append(enrolled)
            return done

        return self._run(work, write=True)

    def enrolment(
        self,
        embeddings: np.ndarray | Sequence[np.ndarray],
        model_id: str,
        model_version: str,
        quality: float | Sequence[float],
        source: str,
        crops: bytes | Sequence[bytes | None] | None = None,
        source_detail: str | Sequence[str | None] | None = None,
        *,
        person_id: int | None = None,
        name: str | None = None,
        group: str | None = None,
        external_id: str | None = None,
        also: Sequence[tuple[np.ndarray, str, str]] = (),
        forced: str | None = None,
        active: bool = True,
        actor: str = "admin",
    ) -> Callable[[Session], Enrolment]:
        """The unit of work enrol() runs, checked before any transaction begins.

        Embeddings N x D (or one D vector); quality, crops (JPEG bytes of the aligned crop) and
        source_detail either one for all or one per embedding. also: the same N faces embedded by
        other models, (N x D, model id, version) each, stored in the same transaction with the
        same crops (the crop is what ties a face's templates together, see remove_template).
        forced: why checks were overridden, for the audit log. active: False makes a new person
        deactivated (an import of an exported list keeps who was)."""
        matrix = _matrix(embeddings)
        if source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}")
        n = len(matrix)
        models = [(matrix, model_id, model_version)] + [(_matrix(m), mid, ver) for m, mid, ver in also]
        if any(len(m) != n for m, _, _ in models):
            raise ValueError("every model needs one embedding per face")
        qualities, jpegs, details = (
            _each(quality, n, "qualities"),
            _each(crops, n, "crops"),
            _each(source_detail, n, "details"),
        )
        for _, mid, ver in models:
            check_length("model id", mid, MODEL_LEN)
            check_length("model version", ver, VERSION_LEN)
        for detail in details:
            check_length("source detail", detail, DETAIL_LEN)
        values = None if person_id is not None else checked_person(name or "", external_id, group)

        def work(s: Session) -> Enrolment:
            if person_id is not None:
                person, created = person_row(s, person_id), False
            else:
                assert values is not None  # made above whenever no person_id was given
                found = holder_of(s, values["name_key"])
                person, created = found or new_person(s, values, actor), found is None
                if created and not active:
                    person.active = False
            now = utc_now()
            rows = [
                TemplateRow(
                    person_id=person.id,
                    embedding=b"",  # sealed below, once the row has the id the seal binds it to
                    dim=vectors.shape[1],
                    model_id=mid,
                    model_version=ver,
                    quality=float(q),
                    source=source,
                    source_detail=detail,
                    created_at=now,
                )
                for vectors, mid, ver in models
                for q, detail in zip(qualities, details)
            ]
            s.add_all(rows)
            s.flush()
            plain = [(vector, jpeg) for vectors, _, _ in models for vector, jpeg in zip(vectors, jpegs)]
            for row, (vector, jpeg) in zip(rows, plain):
                row.embedding = self._seal.seal_embedding(vector.tobytes(), row)
                row.crop_jpeg = None if jpeg is None else self._seal.seal_crop(jpeg, row)
            names = " + ".join(mid for _, mid, _ in models)
            detail = f"#{person.id} {person.name}: {n} faces from {source} ({names})"
            note_change(s, actor, "enrol", detail + (f"; forced: {forced}" if forced else ""))
            return Enrolment(person_record(person), [row.id for row in rows[:n]], created)

        return work

    # The templates for person_id, or for the person called name (created with group and
    # external_id when new), in one transaction: a crash leaves both or neither.
    enrol = _in_one_transaction(enrolment)

    def templates_for_gallery(
        self, model_id: str, model_version: str | None = None, person_id: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(float32 N x D, int64 person id per row, name per row) for active people (or person_id
        alone, active or not), templates made with model_id (and model_version when given);
        (0 x 0, empty, []) when there are none."""
        whose = PersonRow.active if person_id is None else PersonRow.id == person_id
        query = (
            select(
                TemplateRow.id,
                TemplateRow.person_id,
                TemplateRow.model_id,
                TemplateRow.embedding,
                TemplateRow.dim,
                PersonRow.name,
            )
            .join(PersonRow, PersonRow.id == TemplateRow.person_id)
            .where(whose, _made_with(model_id, model_version))
            .order_by(TemplateRow.id)
        )
        rows = self._opened_rows(self._run(lambda s: s.execute(query).all()))
        if not rows:
            return np.zeros((0, 0), np.float32), np.zeros(0, np.int64), []
        dims = {row.dim for row, _ in rows}
        if len(dims) > 1:
            raise StoreError(f"templates for model {model_id} differ in size {sorted(dims)}; re-enrol its people")
        matrix = np.frombuffer(b"".join(plain for _, plain in rows), dtype="<f4").reshape(len(rows), dims.pop())
        return (
            matrix.astype(np.float32),
            np.array([row.person_id for row, _ in rows], dtype=np.int64),
            [row.name for row, _ in rows],
        )

    def _opened_rows(self, rows: Sequence[Any]) -> list[tuple[Any, bytes]]:
        """The rows whose embedding opens, with it; each damaged one is skipped, logged and audited
        with the person to re-enrol, so one bad row does not stop every kiosk."""
        opened, damaged = open_embeddings(self._seal, rows)
        notes = [
            f"template #{row.id} of #{row.person_id} {row.name} does not decrypt (damaged): re-enrol {row.name}"
            for row in damaged
        ]

        def work(s: Session) -> None:
            for note in notes:
                write_audit(s, "store", "damaged template skipped", note)

        for note in notes:
            log.warning("skipped %s", note)
        if notes:
            try:
                self._run(work, write=True)
            except StoreError as exc:  # a read-only database: the log lines above must do
                log.warning("could not audit the damaged templates: %s", exc)
        return opened

    def template_count(self, model_id: str, model_version: str | None = None) -> int:
        """How many templates of active people templates_for_gallery would return, without
        unsealing any: the gallery-size rule needs only the count."""
        query = (
            select(func.count(TemplateRow.id))
            .join(PersonRow, PersonRow.id == TemplateRow.person_id)
            .where(PersonRow.active, _made_with(model_id, model_version))
        )
        return int(self._run(lambda s: s.execute(query).scalar_one()))

    def stale_templates(self, model_id: str | Collection[str], model_version: str | None = None) -> list[TemplateInfo]:
        """Templates made with another model (or version) than model_id, or than all of several
        ids (the models a site runs together), which the models in use cannot compare."""
        # The crop's presence, not the crop: it stays deferred and sealed.
        query = (
            select(TemplateRow, PersonRow.name, TemplateRow.crop_jpeg.is_not(None))
            .join(PersonRow, PersonRow.id == TemplateRow.person_id)
            .where(~_made_with(model_id, model_version))
            .order_by(PersonRow.name, TemplateRow.id)
        )
        return self._run(lambda s: [_info(*found) for found in s.execute(query)])

    def photo_sources(self) -> dict[int, list[str]]:
        """Each person's photos as they were named when enrolled (file names, or the paths an
        import gave), oldest first, once each although every model has a template of each:
        what a people export lists to enrol them again from."""
        query = (
            select(TemplateRow.person_id, TemplateRow.source_detail)
            .where(TemplateRow.source == "photo", TemplateRow.source_detail.is_not(None))
            .order_by(TemplateRow.id)
        )
        found: dict[int, dict[str, None]] = {}
        for person_id, detail in self._run(lambda s: s.execute(query).all()):
            if detail is not None:  # the query's own condition, for the type checker
                found.setdefault(person_id, {})[detail] = None
        return {person_id: list(details) for person_id, details in found.items()}

    def template_crops(self, person_id: int | None = None) -> list[tuple[TemplateInfo, bytes | None]]:
        """Every template (of person_id, or of everyone) with its unsealed JPEG crop, None where
        none was kept; by person name, then oldest first."""
        query = (
            select(TemplateRow, PersonRow.name, TemplateRow.crop_jpeg)
            .join(PersonRow, PersonRow.id == TemplateRow.person_id)
            .order_by(PersonRow.name, TemplateRow.person_id, TemplateRow.id)
        )
        if person_id is not None:
            query = query.where(TemplateRow.person_id == person_id)

        def read(s: Session) -> list[tuple[TemplateInfo, bytes | None]]:
            return [
                (_info(row, name, crop is not None), None if crop is None else self._seal.open_crop(crop, row))
                for row, name, crop in s.execute(query)
            ]

        return self._run(read)

    def rework_templates(
        self,
        twins: Sequence[tuple[int, np.ndarray, str, str]],
        retire: Collection[int] = (),
        *,
        actor: str = "admin",
    ) -> int:
        """In one transaction: for each (template id, embedding, model id, version) in twins, a new
        template of that template's face by that model (person, quality, source, date and crop
        copied), and the templates in retire deleted. Returns how many were made: a template
        deleted meanwhile (from another window) has nothing left to copy."""

        def work(s: Session) -> int:
            wanted = {twin_id for twin_id, _, _, _ in twins}
            found = {row.id: row for row in s.scalars(select(TemplateRow).where(TemplateRow.id.in_(list(wanted))))}
            rows, made = [], []
            for twin_id, vector, model_id, model_version in twins:
                twin = found.get(twin_id)
                if twin is None:
                    continue
                vector = np.asarray(vector, dtype="<f4").ravel()
                made.append((twin, vector))
                rows.append(
                    TemplateRow(
                        person_id=twin.person_id,
                        embedding=b"",  # sealed below, bound to the new row's id
                        dim=vector.size,
                        model_id=model_id,
                        model_version=model_version,
                        quality=twin.quality,
                        source=twin.source,
                        source_detail=twin.source_detail,
                        created_at=twin.created_at,  # when the face was taken, not when it was re-embedded
                    )
                )
            s.add_all(rows)
            s.flush()
            for row, (twin, vector) in zip(rows, made):
                row.embedding = self._seal.seal_embedding(vector.tobytes(), row)
                # Each crop is sealed to its own row: the twin's is opened and sealed again.
                if twin.crop_jpeg is not None:
                    row.crop_jpeg = self._seal.seal_crop(self._seal.open_crop(twin.crop_jpeg, twin), row)
            if retire:
                s.execute(delete(TemplateRow).where(TemplateRow.id.in_(list(retire))))
            models = ", ".join(sorted({row.model_id for row in rows})) or "-"
            note_change(
                s, actor, "recompute templates", f"{len(rows)} made from kept crops ({models}), {len(retire)} retired"
            )
            return len(rows)

        return self._run(work, write=True)

    def remove_template(self, template_id: int, *, actor: str = "admin") -> list[TemplateInfo]:
        """Deletes the template and its twins, the same face's templates by the site's other models
        (same person, same kept crop), so a wrong photo leaves every model at once. The person and
        their attendance history stay. Returns what was removed, the asked-for template first."""

        def work(s: Session) -> list[TemplateInfo]:
            row = s.get(TemplateRow, template_id)
            if row is None:
                raise StoreError(f"there is no template #{template_id} (removed from another window?)")
            person = person_row(s, row.person_id)
            gone = [row]
            if row.crop_jpeg is not None:
                crop = self._seal.open_crop(row.crop_jpeg, row)
                siblings = s.scalars(
                    select(TemplateRow).where(
                        TemplateRow.person_id == row.person_id,
                        TemplateRow.id != row.id,
                        TemplateRow.crop_jpeg.is_not(None),
                    )
                )
                gone += [
                    o for o in siblings if o.crop_jpeg is not None and self._seal.open_crop(o.crop_jpeg, o) == crop
                ]
            removed = [_info(other, person.name, other.crop_jpeg is not None) for other in gone]
            s.execute(delete(TemplateRow).where(TemplateRow.id.in_([other.id for other in gone])))
            listed = ", ".join(f"#{t.id} ({t.model_id})" for t in removed)
            note_change(s, actor, "remove template", f"#{person.id} {person.name}: {listed}")
            return removed

        return self._run(work, write=True)
