"""The cascade on real faces (core/matching/cascade.py): the student shortlists, the verifier names an
enrolled person and refuses a stranger, on LFW (../shared) and on the shipped sample people; unlock
holds the verifier to its 1:1 threshold at FAR 1e-5."""

from __future__ import annotations

import numpy as np
import pytest

from core.enrol.enroller import Enroller
from core.kiosk.kiosk import Kiosk
from core.matching.cascade import Cascade
from core.matching.thresholds import UNLOCK_FALSE_ACCEPT, ImpostorTail
from core.types import Match
from core.vision.imaging import ImageSource, image_files, load_image
from tests.conftest import (
    CAMERA_PHOTOS,
    PERSON,
    SAMPLE_ENROLLED,
    SAMPLE_STRANGERS,
    STRANGER,
    STRANGER_PHOTOS,
    recognition_only,
)

# A second LFW person enrolled beside PERSON, so that the shortlist has someone else to offer.
OTHER, OTHER_PHOTOS = "Colin_Powell", ("0040", "0049", "0071")


def _verdict(cascade: Cascade, pipeline, source: ImageSource) -> Match:
    """The cascade's verdict on the largest face of one image, as the kiosk asks for it."""
    image = load_image(source)
    (face,) = pipeline.faces(image, max_faces=1)
    return cascade.decide(face.embedding[None], pipeline.verify_embed(image, [face]))


def _attendance(store, pipeline) -> Cascade:
    cascade = Cascade(store, pipeline, store.load_settings(), unlock=False)
    # With the default settings the verifier decides, at its own thresholds for this gallery.
    assert cascade.verifier is not None and cascade.thresholds is cascade.verifier_thresholds
    return cascade


def test_the_cascade_names_an_enrolled_lfw_person_and_refuses_a_stranger(store, pipeline, enrolled, lfw_photos):
    Enroller(store, pipeline).enrol_photos("Colin Powell", lfw_photos(OTHER, OTHER_PHOTOS))
    cascade = _attendance(store, pipeline)
    named = [_verdict(cascade, pipeline, photo) for photo in lfw_photos(PERSON, CAMERA_PHOTOS)]
    assert [m.person_id for m in named] == [enrolled.id] * len(CAMERA_PHOTOS)
    assert min(m.similarity for m in named) >= cascade.threshold
    refused = [_verdict(cascade, pipeline, photo) for photo in lfw_photos(STRANGER, STRANGER_PHOTOS)]
    assert [m.person_id for m in refused] == [None] * len(STRANGER_PHOTOS)
    assert max(m.similarity for m in refused) < cascade.threshold


def test_the_cascade_names_each_sample_person_and_refuses_the_strangers(
    store, pipeline, sample_enrolled, sample_people
):
    cascade = _attendance(store, pipeline)
    for name in SAMPLE_ENROLLED:
        frames = image_files(sample_people[name].camera)
        assert {_verdict(cascade, pipeline, f).person_id for f in frames} == {sample_enrolled[name].id}, name
    for name in SAMPLE_STRANGERS:
        verdicts = [_verdict(cascade, pipeline, f) for f in image_files(sample_people[name].camera)]
        assert all(m.person_id is None and m.similarity < cascade.threshold for m in verdicts), name


def test_unlock_holds_the_verifier_to_its_1_to_1_threshold_at_far_1e_5(store, pipeline, sample_enrolled):
    recognition_only(store)  # no liveness model to load: only the thresholds are looked at
    tail = ImpostorTail.from_metadata(pipeline.verifier.metadata)
    assert tail is not None, "the bundled verifier carries its impostor scores"
    kiosk = Kiosk(store, pipeline, unlock_for=[sample_enrolled["Tom Hanks"].id])
    assert kiosk.threshold == pytest.approx(tail.score_at(UNLOCK_FALSE_ACCEPT))
    assert kiosk.cascade.verifier_thresholds is not None
    assert kiosk.cascade.verifier_thresholds.unlock_rule == pytest.approx(tail.score_at(UNLOCK_FALSE_ACCEPT))
    # The student's own unlock threshold, from its own impostor scores, is a different number.
    assert not np.isclose(kiosk.threshold, kiosk.cascade.student_thresholds.unlock)
