"""The face-data key policy: which key this database is sealed with, and what each sealed value is
bound to. An embedding is bound to its template, its person and its model, a crop to its template
and person: a database writer without the key can neither pass an embedding off as a crop, nor
move a face to another person (UPDATE face_templates SET person_id=...), nor to another model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.paths import key_path
from core.store import crypto
from core.store.schema import TemplateRow
from core.store.site import site_row

# site.seal_format: 1 bound a value to its column only (FaceGate before migration 0003); 2 binds it
# to its row as below. unlock_face_data re-seals format-1 databases once, holding the key.
SEAL_FORMAT = 2
_COLUMN_ONLY = {"embedding": b"face_templates.embedding", "crop": b"face_templates.crop_jpeg"}


class Bound(Protocol):
    """What a sealed value is bound to: a TemplateRow, a result row of its columns, or a Binding."""

    @property
    def id(self) -> int: ...
    @property
    def person_id(self) -> int: ...
    @property
    def model_id(self) -> str: ...


class Binding(NamedTuple):
    id: int
    person_id: int
    model_id: str


def _aad(column: str, row: Bound) -> bytes:
    # The crop stays bound to no model: a recompute moves its template to a new model and keeps it.
    model = f":{row.model_id}" if column == "embedding" else ""
    return f"face_templates.{column}:{row.id}:{row.person_id}{model}".encode()


@dataclass(frozen=True)
class FaceSeal:
    """Seals and opens the two face-data columns of face_templates, each bound to its row."""

    sealer: crypto.Sealer

    def seal_embedding(self, plain: bytes, row: Bound) -> bytes:
        return self.sealer.seal(plain, _aad("embedding", row))

    def open_embedding(self, sealed: bytes, row: Bound) -> bytes:
        return self.sealer.open(sealed, _aad("embedding", row))

    def seal_crop(self, plain: bytes, row: Bound) -> bytes:
        return self.sealer.seal(plain, _aad("crop", row))

    def open_crop(self, sealed: bytes, row: Bound) -> bytes:
        return self.sealer.open(sealed, _aad("crop", row))


class SealedEmbedding(Bound, Protocol):
    @property
    def embedding(self) -> bytes: ...


R = TypeVar("R", bound=SealedEmbedding)


def open_embeddings(seal: FaceSeal, rows: Sequence[R]) -> tuple[list[tuple[R, bytes]], list[R]]:
    """(each row that opens with its plain embedding, the rows that do not). A few that fail are
    damaged and left to the caller to skip and report; most of several failing means the key is wrong
    (one alone cannot tell: the key's fingerprint matched)."""
    opened, damaged = [], []
    for row in rows:
        try:
            opened.append((row, seal.open_embedding(row.embedding, row)))
        except crypto.KeyFileError:
            damaged.append(row)
    if len(damaged) > 1 and len(damaged) * 2 > len(rows):
        raise crypto.KeyFileError(
            f"{len(damaged)} of {len(rows)} face templates do not decrypt with the key file {key_path()}: "
            "it is not the key they were sealed with; restore the right key file (or FACEGATE_KEY_FILE)"
        )
    return opened, damaged


def unlock_face_data(session: Session, where: str) -> FaceSeal:
    """The key the face data of the database at `where` is sealed with, from core.paths.key_path();
    seals what an older FaceGate left plain, or bound to its column only (a new key is made for a
    database that has none)."""
    site = site_row(session, lock=True)
    path = key_path()
    key = crypto.read_key(path)
    if site.key_id is not None:
        if key is None:
            raise crypto.KeyFileError(
                f"the face data in {where} is encrypted and its key file {path} is missing: "
                "restore that file (or set FACEGATE_KEY_FILE to the site's key), "
                "or move the database away and enrol everyone again"
            )
        if crypto.fingerprint(key) != site.key_id:
            raise crypto.KeyFileError(
                f"the key file {path} is not the key the face data in {where} was encrypted with: "
                "restore the right key file (or FACEGATE_KEY_FILE), or move the database away and enrol everyone again"
            )
    seal = FaceSeal(crypto.Sealer(key or crypto.create_key(path)))
    if site.key_id is not None and site.seal_format >= SEAL_FORMAT:
        return seal
    for row in session.scalars(select(TemplateRow)):
        embedding = _unbound(seal, row.embedding, "embedding")
        if embedding is not None:
            row.embedding = seal.seal_embedding(embedding, row)
        crop = None if row.crop_jpeg is None else _unbound(seal, row.crop_jpeg, "crop")
        if crop is not None:
            row.crop_jpeg = seal.seal_crop(crop, row)
    site.key_id, site.seal_format = seal.sealer.id, SEAL_FORMAT
    return seal


def _unbound(seal: FaceSeal, value: bytes, column: str) -> bytes | None:
    """A plain value, or one sealed to its column only, opened for re-sealing; None for one that
    does not open (damaged): left as it is, it stays unreadable and is skipped and reported where read."""
    try:
        return seal.sealer.open(value, _COLUMN_ONLY[column])
    except crypto.KeyFileError:
        return None
