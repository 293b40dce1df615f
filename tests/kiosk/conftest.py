"""The kiosk tests' enrolled people also get the verifier's templates (tests/verifier_templates.py),
so the kiosk's default cascade can name them."""

from __future__ import annotations

import pytest

from tests.conftest import ENROL_PHOTOS, PERSON
from tests.verifier_templates import add_verifier_templates


@pytest.fixture
def enrolled(enrolled, store, pipeline, lfw_photos):
    add_verifier_templates(store, pipeline, enrolled.id, lfw_photos(PERSON, ENROL_PHOTOS))
    return enrolled


@pytest.fixture
def sample_enrolled(sample_enrolled, store, pipeline, sample_people):
    for name, person in sample_enrolled.items():
        add_verifier_templates(store, pipeline, person.id, sample_people[name].photos)
    return sample_enrolled
