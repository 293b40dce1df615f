"""Face templates: enrolment, the gallery a kiosk matches against, and templates a new model must
recompute. Embeddings and crops are sealed in the database and plain outside it."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.errors import StoreError
from core.store.engine import Database
from core.store.keys import Binding, FaceSeal, open_embeddings
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


def _made_with(model_id: str, model_version: str | None) -> Any:
    made = TemplateRow.model_id == model_id
    return made if model_version is None else made & (TemplateRow.model_version == model_version)


class Templates(Database):
    _seal: FaceSeal  # set once the database is open (keys.unlock_face_data)

    def enrol(
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
        actor: str = "admin",
    ) -> Enrolment:
        """The templates for person_id, or for the person called name (created with group and
        external_id when new), in one transaction: a crash leaves both or neither.

        Embeddings N x D (or one D vector); quality, crops (JPEG bytes of the aligned crop) and
        source_detail either one for all or one per embedding."""
        matrix = np.asarray(embeddings, dtype="<f4")
        matrix = matrix[None] if matrix.ndim == 1 else matrix
        if matrix.ndim != 2 or not matrix.size:
            raise ValueError("embeddings must be a non-empty N x D array")
        if source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}")
        n = len(matrix)
        qualities, jpegs, details = (
            _each(quality, n, "qualities"),
            _each(crops, n, "crops"),
            _each(source_detail, n, "details"),
        )
        check_length("model id", model_id, MODEL_LEN)
        check_length("model version", model_version, VERSION_LEN)
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
            now = utc_now()
            rows = [
                TemplateRow(
                    person_id=person.id,
                    embedding=b"",  # sealed below, once the row has the id the seal binds it to
                    dim=matrix.shape[1],
                    model_id=model_id,
                    model_version=model_version,
                    quality=float(q),
                    source=source,
                    source_detail=detail,
                    created_at=now,
                )
                for q, detail in zip(qualities, details)
            ]
            s.add_all(rows)
            s.flush()
            for row, vector, jpeg in zip(rows, matrix, jpegs):
                row.embedding = self._seal.seal_embedding(vector.tobytes(), row)
                row.crop_jpeg = None if jpeg is None else self._seal.seal_crop(jpeg, row)
            note_change(s, actor, "enrol", f"#{person.id} {person.name}: {n} templates from {source}")
            return Enrolment(person_record(person), [row.id for row in rows], created)

        return self._run(work, write=True)

    def templates_for_gallery(
        self, model_id: str, model_version: str | None = None
    ) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(float32 N x D, int64 person id per row, name per row) for active people, templates made
        with model_id (and model_version when given); (0 x 0, empty, []) when there are none."""
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
            .where(PersonRow.active, _made_with(model_id, model_version))
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

    def stale_templates(self, model_id: str, model_version: str | None = None) -> list[TemplateInfo]:
        """Templates made with another model (or version), which the current one cannot compare."""
        # The crop's presence, not the crop: it stays deferred and sealed.
        query = (
            select(TemplateRow, PersonRow.name, TemplateRow.crop_jpeg.is_not(None))
            .join(PersonRow, PersonRow.id == TemplateRow.person_id)
            .where(~_made_with(model_id, model_version))
            .order_by(PersonRow.name, TemplateRow.id)
        )

        def info(row: TemplateRow, name: str, has_crop: bool) -> TemplateInfo:
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

        return self._run(lambda s: [info(*found) for found in s.execute(query)])

    def crops_for_recompute(self, model_id: str, model_version: str | None = None) -> list[tuple[int, bytes]]:
        """(template id, JPEG crop) of stale templates that kept a crop; the rest need re-enrolment."""
        query = select(TemplateRow.id, TemplateRow.person_id, TemplateRow.model_id, TemplateRow.crop_jpeg).where(
            ~_made_with(model_id, model_version), TemplateRow.crop_jpeg.is_not(None)
        )
        return [
            (row.id, self._seal.open_crop(row.crop_jpeg, row)) for row in self._run(lambda s: s.execute(query).all())
        ]

    def replace_embeddings(
        self, embeddings: Mapping[int, np.ndarray], model_id: str, model_version: str, *, actor: str = "admin"
    ) -> int:
        """Overwrites templates (template id -> new embedding) recomputed with model_id/model_version;
        returns how many still existed."""

        def work(s: Session) -> int:
            # Deleted meanwhile (from another window), a template has nothing left to overwrite.
            existing = dict(
                s.execute(select(TemplateRow.id, TemplateRow.person_id).where(TemplateRow.id.in_(list(embeddings))))
                .tuples()
                .all()
            )
            for template_id, person_id in existing.items():
                vector = np.asarray(embeddings[template_id], dtype="<f4").ravel()
                s.execute(
                    update(TemplateRow)
                    .where(TemplateRow.id == template_id)
                    .values(
                        embedding=self._seal.seal_embedding(
                            vector.tobytes(), Binding(template_id, person_id, model_id)
                        ),
                        dim=vector.size,
                        model_id=model_id,
                        model_version=model_version,
                    )
                )
            count = len(existing)
            note_change(s, actor, "recompute templates", f"{count} templates for {model_id} {model_version}")
            return count

        return self._run(work, write=True)
