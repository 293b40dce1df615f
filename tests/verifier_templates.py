"""The verifier's templates for people the tests enrol, until enrolment makes them itself.

Enroller stores the student's templates only; the cascade names nobody without the verifier's
(core/matching/cascade.py). Dropped once enrolment stores both models' templates.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pytest

from core.matching.gallery import model_key
from core.store import Store
from core.vision.imaging import load_image
from core.vision.pipeline import FacePipeline
from tests.conftest import ENROL_PHOTOS, PERSON


def add_verifier_templates(store: Store, pipeline: FacePipeline, person_id: int, photos: Iterable[Path]) -> None:
    """The verifier's embedding of each photo's largest face, stored for person_id."""
    assert pipeline.verifier is not None
    vectors = []
    for photo in photos:
        image = load_image(photo)
        faces = pipeline.faces(image, max_faces=1)
        assert faces, f"no face in {photo}"
        vectors.append(pipeline.verify_embed(image, faces)[0])
    store.enrol(np.stack(vectors), *model_key(pipeline.verifier), 1.0, "photo", person_id=person_id)


# The overrides of tests/conftest.py's enrolled people that tests/kiosk and tests/gui import.


@pytest.fixture
def enrolled(enrolled, store, pipeline, lfw_photos):
    add_verifier_templates(store, pipeline, enrolled.id, lfw_photos(PERSON, ENROL_PHOTOS))
    return enrolled


@pytest.fixture
def sample_enrolled(sample_enrolled, store, pipeline, sample_people):
    for name, person in sample_enrolled.items():
        add_verifier_templates(store, pipeline, person.id, sample_people[name].photos)
    return sample_enrolled
