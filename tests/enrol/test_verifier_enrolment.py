"""Enrolment with the verifier: both models' templates, another person's photos refused, templates
made from kept crops for people enrolled before, and one face's templates removed."""

from dataclasses import replace
from datetime import datetime, timezone

import numpy as np
import pytest

from core.enrol.enroller import Enroller, Refused
from core.enrol.upgrade import missing_templates, upgrade_templates
from core.matching.gallery import model_key
from core.types import Event
from core.vision.pipeline import FacePipeline

TOM, OTHER = "Tom Hanks", "Group 1"


@pytest.fixture
def enroller(store, pipeline):
    return Enroller(store, pipeline)


def _count(store, embedder) -> int:
    return store.template_count(embedder.model_id)


def test_each_face_is_stored_for_the_student_and_the_verifier(store, enroller, sample_people):
    result = enroller.enrol_photos(TOM, sample_people[TOM].photos)
    faces = len(result.template_ids)
    assert faces == len(sample_people[TOM].photos)
    assert _count(store, enroller.pipeline.embedder) == _count(store, enroller.pipeline.verifier) == faces
    kept = store.template_crops(result.person.id)
    assert {info.model_id for info, _ in kept} == {
        enroller.pipeline.embedder.model_id,
        model_key(enroller.pipeline.verifier)[0],
    }


def test_another_persons_photos_are_refused_by_name_and_forced_in(store, enroller, sample_people):
    tom = enroller.enrol_photos(TOM, sample_people[TOM].photos).person
    before = _count(store, enroller.pipeline.verifier)
    with pytest.raises(Refused) as refused:
        enroller.enrol_photos("tom hanks", sample_people[OTHER].photos)
    assert "photo0.jpg does not match Tom Hanks's templates" in str(refused.value)
    assert {m.against for m in refused.value.review.mismatches} == {"templates"}
    assert _count(store, enroller.pipeline.verifier) == before  # nothing written
    forced = enroller.enrol_photos("tom hanks", sample_people[OTHER].photos, force=True)
    assert forced.person.id == tom.id and not forced.created
    assert _count(store, enroller.pipeline.verifier) == before + len(sample_people[OTHER].photos)
    assert "forced: photo0.jpg does not match" in store.audit_log()[0].detail


def test_a_stranger_in_a_new_batch_is_refused(store, enroller, sample_people):
    photos = [*sample_people[TOM].photos, sample_people[OTHER].photos[0]]
    with pytest.raises(Refused) as refused:
        enroller.enrol_photos("Ann", photos)
    assert [(m.index, m.against) for m in refused.value.review.mismatches] == [(len(photos) - 1, "batch")]
    assert store.find_person_by_name("Ann") is None


def test_a_person_enrolled_before_the_verifier_gets_its_templates_from_their_crops(store, pipeline, sample_people):
    student_only = Enroller(store, FacePipeline(pipeline.detector, pipeline.embedder, verifier=None))
    # Group 1 enrolled while the site kept no crops (turning that off erases the crops kept so far).
    settings = store.load_settings()
    store.save_settings(replace(settings, keep_face_crops=False))
    student_only.enrol_photos(OTHER, sample_people[OTHER].photos)
    store.save_settings(settings)
    tom = student_only.enrol_photos(TOM, sample_people[TOM].photos).person
    models = [pipeline.embedder, pipeline.verifier]
    assert missing_templates(store, models) == (len(sample_people[TOM].photos), (OTHER,))

    calls = []
    result = upgrade_templates(store, models, lambda done, total: calls.append((done, total)))
    faces = len(sample_people[TOM].photos)
    assert (result.made, result.retired, result.need_reenrol) == (faces, 0, (OTHER,))
    assert calls[-1] == (faces, faces)
    made, person_ids, _ = store.templates_for_gallery(pipeline.verifier.model_id)
    assert set(person_ids.tolist()) == {tom.id} and len(made) == faces
    # From the crop, the verifier's template is the same face it sees in a photo of Tom.
    fresh = Enroller(store, pipeline).assess(sample_people[TOM].photos[0]).sample
    assert float((made @ fresh.verified).max()) > 0.8
    assert missing_templates(store, models) == (0, (OTHER,))  # done once: nothing left but Group 2


def test_removing_one_face_keeps_the_rest_and_the_history(store, enroller, sample_people):
    tom = enroller.enrol_photos(TOM, sample_people[TOM].photos).person
    store.record_event(Event(tom.id, TOM, datetime.now(timezone.utc), "check-in", 0.9, "kiosk-1"))
    listed = store.template_crops(tom.id)
    first = listed[0][0]
    removed = store.remove_template(first.id)
    # The face goes from both models at once: its student template and its verifier twin.
    assert [t.id for t in removed][0] == first.id and len(removed) == 2
    assert {t.model_id for t in removed} == {enroller.pipeline.embedder.model_id, enroller.pipeline.verifier.model_id}
    assert len(store.template_crops(tom.id)) == len(listed) - 2
    since = datetime(2000, 1, 1, tzinfo=timezone.utc)
    assert [e.person_id for e in store.events(since, datetime.now(timezone.utc))] == [tom.id]
    entry = store.audit_log()[0]
    assert entry.action == "remove template" and f"#{first.id}" in entry.detail
    assert np.isfinite(store.templates_for_gallery(enroller.pipeline.verifier.model_id)[0]).all()
