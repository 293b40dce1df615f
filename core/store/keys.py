"""The face-data key policy: which key this database is sealed with, and what each sealed column
is bound to (a sealed embedding cannot be passed off as a crop, nor the other way round)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.paths import key_path
from core.store import crypto
from core.store.schema import TemplateRow
from core.store.site import site_row

_AAD_EMBEDDING, _AAD_CROP = b"face_templates.embedding", b"face_templates.crop_jpeg"


@dataclass(frozen=True)
class FaceSeal:
    """Seals and opens the two face-data columns of face_templates."""

    sealer: crypto.Sealer

    def seal_embedding(self, plain: bytes) -> bytes:
        return self.sealer.seal(plain, _AAD_EMBEDDING)

    def open_embedding(self, sealed: bytes) -> bytes:
        return self.sealer.open(sealed, _AAD_EMBEDDING)

    def seal_crop(self, plain: bytes) -> bytes:
        return self.sealer.seal(plain, _AAD_CROP)

    def open_crop(self, sealed: bytes) -> bytes:
        return self.sealer.open(sealed, _AAD_CROP)


def unlock_face_data(session: Session, where: str) -> FaceSeal:
    """The key the face data of the database at `where` is sealed with, from core.paths.key_path();
    seals what an older FaceGate left plain (a new key is made for a database that has none)."""
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
        return FaceSeal(crypto.Sealer(key))
    seal = FaceSeal(crypto.Sealer(key or crypto.create_key(path)))
    for row in session.scalars(select(TemplateRow)):
        if not crypto.is_sealed(row.embedding):
            row.embedding = seal.seal_embedding(row.embedding)
        if row.crop_jpeg is not None and not crypto.is_sealed(row.crop_jpeg):
            row.crop_jpeg = seal.seal_crop(row.crop_jpeg)
    site.key_id = seal.sealer.id
    return seal
