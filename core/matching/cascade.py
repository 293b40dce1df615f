"""Who is this face: the one place that decides. The student shortlists, the verifier names.

The student (fast, run on every face of every frame) ranks the enrolled people; only its
`shortlist` best are put to the verifier (a stronger model, run once per verdict), which scores
each against that person's own verifier templates. A verdict names the shortlisted person the
verifier scores highest, and only when that score reaches the verifier's threshold for the
gallery enrolled now (the gallery-size rule of core/matching/thresholds.py on the verifier's
template count; unlock: its 1:1 threshold at FAR 1e-5). A shortlisted person with no verifier
templates cannot be named: enrolment makes them, and back-fills people enrolled before.

Without a verifier (none loaded, or the setting "check verdicts with the verifier" off) the
student decides alone at its own thresholds, as before the cascade.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

from core.matching.gallery import Gallery
from core.matching.thresholds import Thresholds, gallery_in_use
from core.types import Match

if TYPE_CHECKING:
    from core.settings import Settings
    from core.store import Store
    from core.vision.embed import FaceEmbedder
    from core.vision.pipeline import FacePipeline

log = logging.getLogger(__name__)

# The student's best people the verifier scores. Measured on LFW's open-set protocol (`python -m
# training openset --model assets/models/student.onnx --verifier assets/models/edgeface_xs.onnx
# --shortlist 1,3,5,10 --lfw ../shared/data/lfw/images`), FNIR at FPIR 1 % with 1,559 enrolled:
# K=1 7.37 %, 3 4.88 %, 5 4.04 %, 10 3.45 %. The verifier embeds the face once whatever K is, so
# the longer list costs only K dot products.
DEFAULT_SHORTLIST = 10

_noted_without_templates: set[int] = set()


def verify_shortlist(
    student: Gallery, verifier: Gallery, student_embeddings: np.ndarray, verifier_embeddings: np.ndarray, k: int
) -> list[Match]:
    """Per row: the person of the student's k best whom the verifier scores highest, with the
    verifier's score; Match(None, -1.0) when none of them has verifier templates."""
    shortlists = student.search(student_embeddings, k=k)
    if len(verifier) == 0:
        scores = np.zeros((len(shortlists), 0), np.float32)
    else:
        scores = verifier.person_scores(verifier_embeddings)
    column = {int(pid): j for j, pid in enumerate(verifier.people)}
    out = []
    for row, shortlist in zip(scores, shortlists):
        best = Match(None, -1.0)
        for candidate in shortlist:
            assert candidate.person_id is not None  # search names every person it returns
            j = column.get(candidate.person_id)
            if j is None:
                _note_without_templates(candidate)
            elif row[j] > best.similarity:
                best = Match(candidate.person_id, float(row[j]), candidate.name)
        out.append(best)
    return out


def _note_without_templates(candidate: Match) -> None:
    # Once per person and process: the kiosk shortlists them again every verdict.
    if candidate.person_id not in _noted_without_templates:
        _noted_without_templates.add(int(candidate.person_id or 0))
        log.warning(
            "%s (#%s) has no verifier templates, so cannot be named until enrolled again or back-filled",
            candidate.name or "a shortlisted person",
            candidate.person_id,
        )


class Cascade:
    """The galleries and thresholds a kiosk decides with now; rebuilt when people or settings change."""

    def __init__(
        self, store: Store, pipeline: FacePipeline, settings: Settings, unlock: bool, shortlist: int = DEFAULT_SHORTLIST
    ):
        self.unlock, self.shortlist = unlock, shortlist
        self.student_model = pipeline.embedder
        self.student, self.student_thresholds = gallery_in_use(store, pipeline.embedder, settings)
        self.verifier_model: FaceEmbedder | None = pipeline.verifier if settings.verify_verdicts else None
        self.verifier: Gallery | None = None
        self.verifier_thresholds: Thresholds | None = None
        if self.verifier_model is not None:
            self.verifier, self.verifier_thresholds = gallery_in_use(store, self.verifier_model, settings)

    @property
    def thresholds(self) -> Thresholds:
        """The deciding model's: the verifier's when it checks verdicts, else the student's."""
        return self.verifier_thresholds or self.student_thresholds

    @property
    def threshold(self) -> float:
        """The score a verdict must reach."""
        return self.thresholds.unlock if self.unlock else self.thresholds.attendance

    def overlay(self, embeddings: np.ndarray) -> list[Match]:
        """Per face of one frame, the student's own guess at its threshold: a name on screen, no verdict."""
        t = self.student_thresholds
        return self.student.identify(embeddings, t.unlock if self.unlock else t.attendance)

    def decide(self, student_embedding: np.ndarray, verifier_embedding: np.ndarray | None) -> Match:
        """The verdict on one face's evidence: a person, or person_id None with the best score seen."""
        if self.verifier is None:
            return self.student.identify(student_embedding, self.threshold)[0]
        if verifier_embedding is None:
            raise ValueError("the verifier checks verdicts: the verdict needs its embedding")
        (best,) = verify_shortlist(self.student, self.verifier, student_embedding, verifier_embedding, self.shortlist)
        return best if best.similarity >= self.threshold else Match(None, best.similarity)

    def models(self) -> str:
        """For the status bar's model label and `checkin --stats`: which models run, and who decides."""
        return name_models(self.student_model, self.verifier_model)

    def describe(self) -> str:
        """For the status bar's thresholds label and `checkin --stats`: the thresholds each model
        uses now (models() names the models)."""
        student = f"student: {self.student_thresholds.describe()}"
        if self.verifier_thresholds is None:
            return f"{student}; verdicts by the student"
        return f"{student}; verifier: {self.verifier_thresholds.describe()}; shortlist {self.shortlist}"


def name_models(student: FaceEmbedder, verifier: FaceEmbedder | None) -> str:
    """Both models by file and by the id their templates carry; verifier None when none checks
    verdicts (none loaded, or the setting off). The status bar shows it before the first frame too."""
    named = f"student {_model_name(student)}"
    return f"{named} · verifier {_model_name(verifier)}" if verifier is not None else f"{named} · no verifier"


def _model_name(embedder: FaceEmbedder) -> str:
    # An ensemble (--model a.onnx,b.onnx) names each of its files.
    files = "+".join(m.path.name for m in getattr(embedder, "members", [embedder]))
    return f"{files} ({embedder.model_id})"
