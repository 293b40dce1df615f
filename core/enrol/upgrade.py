"""Templates for every model in use, made from the face crops the store keeps.

A site runs two models together: the student shortlists, the verifier decides (core/matching).
Each enrolled face needs a template of both. People enrolled before a model was added (or after
it changed) get theirs here, from the aligned crop enrolment stored, without coming back; a
template of a model no longer in use is retired once its face has templates of all the models in
use. Faces without a kept crop cannot be re-embedded: their people must be enrolled again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.errors import ImageError
from core.matching.gallery import model_key
from core.store import Store
from core.store.records import TemplateInfo
from core.vision.align import ARCFACE_TEMPLATE
from core.vision.embed import FaceEmbedder
from core.vision.imaging import load_image

# done, total: how many kept faces have been embedded so far.
Progress = Callable[[int, int], None]


def embed_crop(embedder: FaceEmbedder, jpeg: bytes) -> np.ndarray:
    """One model's embedding of a stored crop. Its landmarks sit on the ArcFace template, so a
    model of any input format can be fed from it; ImageError for a damaged crop."""
    return embedder.embed(load_image(jpeg), [ARCFACE_TEMPLATE])[0]


@dataclass(frozen=True)
class UpgradeResult:
    made: int  # templates made from kept crops
    retired: int  # templates of models no longer in use, replaced by those
    need_reenrol: tuple[str, ...]  # names of people missing a model's templates with no crop to make them from


@dataclass
class _Face:
    """One enrolled face: its templates (all made from the same crop, or one without a crop)."""

    crop: bytes | None
    templates: list[TemplateInfo]


def _faces(store: Store) -> dict[int, list[_Face]]:
    """Every person's faces: templates grouped by the crop they were made from."""
    faces: dict[int, list[_Face]] = defaultdict(list)
    by_crop: dict[tuple[int, bytes], _Face] = {}
    for info, crop in store.template_crops():
        if crop is None:
            faces[info.person_id].append(_Face(None, [info]))
        elif (info.person_id, crop) in by_crop:
            by_crop[info.person_id, crop].templates.append(info)
        else:
            by_crop[info.person_id, crop] = face = _Face(crop, [info])
            faces[info.person_id].append(face)
    return faces


def missing_templates(store: Store, embedders: Sequence[FaceEmbedder]) -> tuple[int, tuple[str, ...]]:
    """(faces that upgrade_templates would embed, names of people who must be enrolled again), read only."""
    work, names = _plan(_faces(store), embedders)
    return len(work), names


def _plan(
    faces: dict[int, list[_Face]], embedders: Sequence[FaceEmbedder]
) -> tuple[list[tuple[_Face, list[FaceEmbedder]]], tuple[str, ...]]:
    in_use = {e.model_id for e in embedders}
    work: list[tuple[_Face, list[FaceEmbedder]]] = []
    stuck: set[str] = set()
    for person_faces in faces.values():
        # The models the person will have templates of once the kept crops are embedded.
        have = in_use if any(face.crop is not None for face in person_faces) else set()
        have = have | {t.model_id for face in person_faces for t in face.templates}
        for face in person_faces:
            made = {t.model_id for t in face.templates}
            missing = [e for e in embedders if e.model_id not in made]
            if face.crop is not None and missing:
                work.append((face, missing))
            elif face.crop is None and (made - in_use or in_use - have):
                # A template nothing in use can compare, or a model the person will have no
                # template of at all, with no crop to make one from.
                stuck.add(face.templates[0].person_name)
    return work, tuple(sorted(stuck))


def upgrade_templates(
    store: Store, embedders: Sequence[FaceEmbedder], progress: Progress | None = None
) -> UpgradeResult:
    """Makes every kept face's missing templates for the models in use (student first, then the
    verifier) and retires templates of models no longer in use, in one transaction at the end:
    interrupted, nothing is half-written."""
    in_use = {e.model_id for e in embedders}
    work, stuck = _plan(_faces(store), embedders)
    twins: list[tuple[int, np.ndarray, str, str]] = []
    retire: list[int] = []
    damaged: set[str] = set()
    for done, (face, missing) in enumerate(work, 1):
        assert face.crop is not None  # _plan lists only faces with a crop
        source = face.templates[0]
        try:
            twins += [(source.id, embed_crop(e, face.crop), *model_key(e)) for e in missing]
        except ImageError:
            damaged.add(source.person_name)  # a damaged crop: the person must come back
            continue
        retire += [t.id for t in face.templates if t.model_id not in in_use]
        if progress:
            progress(done, len(work))
    made = store.rework_templates(twins, retire) if twins or retire else 0
    return UpgradeResult(made, len(retire), tuple(sorted(set(stuck) | damaged)))
