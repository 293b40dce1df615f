"""The bundled MTCNN detector on insightface's sample photos (the `detector` fixture has
min_face=20, see tests/fixtures.py)."""

from pathlib import Path

import cv2
import numpy as np
import pytest

from core.errors import ModelError
from core.vision.detect import Detector
from core.vision.raster import resize_area


def read(path: Path) -> np.ndarray:
    image = cv2.imread(str(path))
    assert image is not None, f"sample photo {path} is missing"
    return image


@pytest.fixture(scope="module")
def group(sample_images) -> np.ndarray:
    return read(sample_images / "t1.jpg")


@pytest.fixture(scope="module")
def group_faces(detector, group):
    return detector.detect(group)


def test_group_photo_has_all_six_faces_largest_first(group_faces):
    assert len(group_faces) == 6
    sizes = [face.size for face in group_faces]
    assert sizes == sorted(sizes, reverse=True)
    for face in group_faces:
        assert face.box.dtype == np.float32 and face.box.shape == (4,)
        assert face.landmarks.dtype == np.float32 and face.landmarks.shape == (5, 2)
        assert 0.8 <= face.score <= 1.0


def test_landmarks_sit_in_the_face_in_arcface_order(group_faces):
    for face in group_faces:
        x1, y1, x2, y2 = face.box
        points = face.landmarks
        assert np.all((points[:, 0] >= x1) & (points[:, 0] <= x2))
        assert np.all((points[:, 1] >= y1) & (points[:, 1] <= y2))
        left_eye, right_eye, nose, mouth_left, mouth_right = points
        assert left_eye[0] < right_eye[0]
        assert mouth_left[0] < mouth_right[0]
        assert min(mouth_left[1], mouth_right[1]) > max(left_eye[1], right_eye[1])
        assert min(left_eye[1], right_eye[1]) < nose[1] < max(mouth_left[1], mouth_right[1])


def test_aligned_portrait_landmarks_match_the_arcface_template(detector, sample_images):
    # The sample is a 112x112 crop aligned to this template, so it is the ground truth.
    template = np.array([[38.29, 51.69], [73.53, 51.50], [56.02, 71.74], [41.55, 92.37], [70.73, 92.20]])
    faces = detector.detect(read(sample_images / "Tom_Hanks_54745.png"))
    assert len(faces) == 1
    assert np.abs(faces[0].landmarks - template).max() < 9


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((480, 640, 3), np.uint8),
        np.full((480, 640, 3), 128, np.uint8),
        np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8),
        np.zeros((10, 10, 3), np.uint8),
    ],
    ids=["black", "grey", "noise", "tiny"],
)
def test_images_without_faces_give_none(detector, image):
    assert detector.detect(image) == []


def test_min_face_drops_smaller_faces(group, group_faces):
    threshold = float(np.median([face.size for face in group_faces]))
    detector = Detector(min_face=20)
    detector.min_face = round(threshold)
    faces = detector.detect(group)
    assert 0 < len(faces) < len(group_faces)
    assert all(face.size >= detector.min_face for face in faces)


def test_min_face_below_the_pnet_window_is_refused(detector):
    with pytest.raises(ValueError):
        Detector(min_face=8)
    with pytest.raises(ValueError):
        detector.min_face = 11


def test_large_image_is_shrunk_for_detection_and_mapped_back(detector, group, group_faces):
    # Three times t1's 1280 pixels, so the detector shrinks it back to exactly t1's size.
    large = cv2.resize(group, None, fx=3, fy=3, interpolation=cv2.INTER_LINEAR)
    faces = Detector(min_face=3 * detector.min_face, max_side=group.shape[1]).detect(large)

    shrunk = resize_area(large, group.shape[1::-1])
    expected = detector.detect(shrunk)
    assert len(faces) == len(expected)
    for face, small in zip(faces, expected):
        np.testing.assert_allclose(face.box, small.box * 3, atol=0.05)
        np.testing.assert_allclose(face.landmarks, small.landmarks * 3, atol=0.05)

    # Resampling moves MTCNN's boxes by a few per cent, nothing like a wrong mapping would.
    for face in faces:
        original = min(group_faces, key=lambda f: np.abs(f.box * 3 - face.box).sum())
        assert np.abs(face.box - original.box * 3).max() < 0.15 * face.size


def test_rejects_images_that_are_not_bgr_uint8(detector):
    with pytest.raises(ValueError):
        detector.detect(np.zeros((100, 100), np.uint8))
    with pytest.raises(ValueError):
        detector.detect(np.zeros((100, 100, 3), np.float32))


def test_unreadable_model_is_a_model_error(monkeypatch, tmp_path):
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not an onnx graph")
    monkeypatch.setattr("core.vision.detect.model_path", lambda name: broken)
    with pytest.raises(ModelError):
        Detector()
