"""Enrolment: each quality gate's reason, photo outcomes, look-alike warnings, guided capture,
stale templates made again from their crops, and calibration."""

import cv2
import numpy as np
import pytest

from core.enrol.consistency import Mismatch
from core.enrol.enroller import CaptureSession, Enroller, Refused, Review, Sample
from core.enrol.upgrade import upgrade_templates
from core.errors import FaceGateError
from core.matching.calibrate import calibrate, error_rates
from core.matching.gallery import model_key
from core.types import Match
from core.vision.imaging import load_image


@pytest.fixture
def tom(sample_images):
    return load_image(sample_images / "Tom_Hanks_54745.png")


def _framed(face: np.ndarray, scale: float = 2.0, angle: float = 0.0) -> np.ndarray:
    """The portrait scaled into the middle of a gray frame, optionally rotated."""
    face = cv2.resize(face, None, fx=scale, fy=scale)
    h, w = face.shape[:2]
    frame = np.full((2 * h, 2 * w, 3), 128, np.uint8)
    frame[h // 2 : h // 2 + h, w // 2 : w // 2 + w] = face
    if angle:
        frame = cv2.warpAffine(
            frame, cv2.getRotationMatrix2D((w, h), angle, 1.0), (2 * w, 2 * h), borderValue=(128,) * 3
        )
    return frame


@pytest.fixture
def enroller(store, pipeline):
    return Enroller(store, pipeline)


@pytest.fixture
def tom_photo(tom, tmp_path):
    """The portrait as a photo file whose face clears the size gate with room (the file's is 84 px)."""
    path = tmp_path / "tom.png"
    cv2.imwrite(str(path), _framed(tom))
    return path


def test_a_good_photo_passes_every_gate(enroller, tom):
    result = enroller.assess(_framed(tom))
    assert result.ok and result.reason is None
    assert 0 < result.sample.quality <= 1
    crop = cv2.imdecode(np.frombuffer(result.sample.crop_jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert crop.shape == (112, 112, 3)


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda tom: _framed(tom)[:, :150], "no face found"),
        (lambda tom: _framed(tom, scale=0.85), "face too small"),
        # Under the pipeline detector's own smallest face (40 px): found all the same, and called small.
        (lambda tom: _framed(tom, scale=0.6), "face too small"),
        (lambda tom: cv2.GaussianBlur(_framed(tom), (0, 0), 4), "blurred"),
        (lambda tom: (_framed(tom) * 0.2).astype(np.uint8), "too dark"),
        (lambda tom: np.clip(_framed(tom).astype(int) + 150, 0, 255).astype(np.uint8), "too bright"),
        (lambda tom: _framed(tom, angle=30), "keep your eyes level"),
    ],
    ids=["no-face", "small", "far", "blurred", "dark", "bright", "tilted"],
)
def test_each_gate_says_why(enroller, tom, make, reason):
    result = enroller.assess(make(tom))
    assert not result.ok and reason in result.reason


def test_group_photo_and_turned_face_are_refused(enroller, sample_images, sample_people):
    assert "more than one face" in enroller.assess(sample_images / "t1.jpg").reason
    assert "look straight" in enroller.assess(sample_people["Group 2"].photos[0]).reason


def test_enrol_from_photos_reports_each_file_and_stores_templates(store, enroller, sample_images, tom_photo, tmp_path):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not an image")
    paths = [tom_photo, sample_images / "t1.jpg", bad]
    result = enroller.enrol_photos("Tom Hanks", paths, group="actors", external_id="T-1")
    assert [o.ok for o in result.outcomes] == [True, False, False]
    assert "more than one face" in result.outcomes[1].reason and "not a readable image" in result.outcomes[2].reason
    assert result.created and len(result.template_ids) == 1
    templates, ids, names = store.templates_for_gallery(*model_key(enroller.pipeline.embedder))
    assert len(templates) == 1 and names == ["Tom Hanks"]
    assert store.get_person(result.person.id).group == "actors"
    # The same name again adds to that person instead of creating a second one.
    again = enroller.enrol_photos("tom hanks", paths[:1])
    assert not again.created and again.person.id == result.person.id
    with pytest.raises(FaceGateError, match="no photo of Nobody could be used"):
        enroller.enrol_photos("Nobody", paths[1:])
    assert store.find_person_by_name("Nobody") is None


def test_a_known_face_under_a_new_name_is_refused_unless_forced(store, enroller, tom_photo):
    photo = [tom_photo]
    first = enroller.enrol_photos("Tom Hanks", photo)
    assert first.duplicates == ()
    with pytest.raises(Refused, match=r"these faces already match Tom Hanks \(#1, 1\.00\)"):
        enroller.enrol_photos("Thomas", photo)
    assert store.find_person_by_name("Thomas") is None
    second = enroller.enrol_photos("Thomas", photo, force=True)
    assert [m.person_id for m in second.duplicates] == [first.person.id]
    assert second.duplicates[0].similarity > 0.9
    assert "forced: these faces already match Tom Hanks" in store.audit_log()[0].detail


def test_guided_capture_spaces_samples_and_stops_at_the_maximum(enroller, tom):
    session = CaptureSession(enroller, min_samples=2, max_samples=3, min_gap_s=0.5)
    frame = _framed(tom)
    now = 100.0
    feedback = session.feed(frame[:, :150], now)
    assert not feedback.usable and "no face" in feedback.message
    feedback = session.feed(frame, now)
    assert feedback.accepted and feedback.count == 1 and "turn your head" in feedback.message
    feedback = session.feed(frame, now + 0.1)
    assert feedback.usable and not feedback.accepted and feedback.count == 1
    for step in (1, 2):
        feedback = session.feed(frame, now + step)
    assert feedback.count == 3 and feedback.enough and feedback.done
    assert not session.feed(frame, now + 10).accepted and len(session.samples) == 3


def test_stale_templates_are_recomputed_from_their_crops(store, enroller, tom):
    sample = enroller.assess(_framed(tom)).sample
    person = store.enrol(
        np.ones_like(sample.embedding),
        "old-model",
        "1",
        sample.quality,
        "photo",
        crops=[sample.crop_jpeg],
        name="Tom Hanks",
    ).person
    store.enrol(np.ones_like(sample.embedding), "old-model", "1", sample.quality, "photo", person_id=person.id)
    embedder = enroller.pipeline.embedder
    assert len(store.stale_templates(embedder.model_id)) == 2
    result = upgrade_templates(store, [embedder])
    # The face with a crop is re-embedded (its old template retired); the one without names Tom.
    assert (result.made, result.retired, result.need_reenrol) == (1, 1, ("Tom Hanks",))
    templates, _, _ = store.templates_for_gallery(embedder.model_id)
    assert len(templates) == 1 and float(templates[0] @ sample.embedding) > 0.9


def test_a_metadata_only_reexport_keeps_templates_current(store, enroller, tom, model):
    from core.matching.gallery import load_gallery
    from core.vision.embed import load_embedder

    sample = enroller.assess(_framed(tom)).sample
    enroller.save([sample], "photo", name="Tom Hanks")
    # The same weights re-exported with new metadata: same model id, a new version.
    reexport = load_embedder(model)
    reexport.metadata["facegate.model_version"] = "re-exported"
    assert model_key(reexport) != model_key(enroller.pipeline.embedder)
    assert store.stale_templates([reexport.model_id, enroller.pipeline.verifier.model_id]) == []
    assert len(load_gallery(store, reexport).templates) == 1


def test_error_rates_count_genuine_and_impostor_pairs():
    vectors = np.eye(3, dtype=np.float32)[[0, 0, 1, 2]]
    vectors[1] = [0.6, 0.8, 0]  # person 1's second template, closer to person 2 than to their first
    rates = error_rates(vectors, np.array([1, 1, 2, 3]), threshold=0.7)
    assert (rates.genuine_pairs, rates.impostor_pairs) == (1, 5)
    assert (rates.false_rejects, rates.false_accepts) == (1, 1)
    assert rates.frr == 1.0 and rates.far == pytest.approx(0.2)
    assert "too few to judge (1 of 5 impostor pairs" in rates.describe()
    # Nine people with one template each: 36 impostor pairs are enough to state a rate.
    many = error_rates(np.eye(9, dtype=np.float32), np.arange(9), threshold=0.7)
    assert "false accepts 0.00% (0 of 36 impostor pairs)" in many.describe()
    assert "no genuine pairs to measure" in many.describe()


def test_calibrate_on_enrolled_people(store, enroller, lfw_photos):
    enroller.enrol_photos("Bush", lfw_photos("George_W_Bush", ("0007", "0016", "0065")))
    enroller.enrol_photos("Blair", lfw_photos("Tony_Blair", ("0018", "0032", "0048")))
    # Calibrated at the unlock threshold: the looser attendance threshold relies on K
    # consecutive frames, which a single-photo calibration cannot show.
    rates = calibrate(store, enroller.pipeline.embedder, store.load_settings().unlock_threshold)
    assert (rates.genuine_pairs, rates.impostor_pairs) == (6, 9)
    # At the strict unlock threshold no Bush photo passes for Blair, and the same person's photos
    # still match (with the bundled student all 6 genuine pairs do; one may slip for another model).
    assert rates.far == 0.0 and rates.frr <= 1 / 6
    empty = calibrate(store, enroller.pipeline.embedder, 2.0)
    assert empty.frr == 1.0 and empty.far == 0.0


def test_a_review_reads_in_english_and_through_a_translation():
    review = Review("Ann", (Mismatch(0, 0.21, "templates"), Mismatch(1, 0.18, "batch")), (Match(7, 0.83, "Bob"),))
    samples = [Sample(np.zeros(4, np.float32), 0.9, b"", "a.jpg"), Sample(np.zeros(4, np.float32), 0.9, b"", None)]
    assert review.describe(samples) == (
        "a.jpg does not match Ann's templates (similarity 0.21, need 0.30); "
        "face 2 does not match the other photos (similarity 0.18, need 0.30); "
        "these faces already match Bob (#7, 0.83)"
    )
    said = review.describe(samples, lambda context, text: f"<{context}: {text}>")
    assert said.startswith("<Enrolment: a.jpg does not match Ann's templates") and "<Enrolment: face 2>" in said
