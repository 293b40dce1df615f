"""core.vision.align's numpy similarity fit against scikit-image's, the estimate insightface's
`face_align.estimate_norm` makes (and against insightface itself where it is installed).

scikit-image fits in float32 when given float32 points and core.vision.align in float64, so they agree to
float32 precision: compared where each matrix puts the landmarks, in crop pixels."""

import numpy as np
import pytest

from core.vision.align import ARCFACE_TEMPLATE, align, alignment_matrix
from core.vision.imaging import load_image

transform = pytest.importorskip("skimage.transform", reason="scikit-image is the parity reference ([dev] extra)")
# scikit-image deprecates estimate() in favour of from_estimate(); the reference keeps to the call
# insightface makes.
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")


def _reference(points, template) -> np.ndarray:
    fit = transform.SimilarityTransform()
    assert fit.estimate(np.asarray(points, np.float32), np.asarray(template, np.float32))
    return fit.params[:2]


def _apply(matrix: np.ndarray, points) -> np.ndarray:
    points = np.asarray(points, np.float64).reshape(-1, 2)
    return points @ np.asarray(matrix)[:, :2].T + np.asarray(matrix)[:, 2]


@pytest.fixture(scope="module")
def group_faces(sample_images, detector):
    image = load_image(sample_images / "t1.jpg")
    faces = detector.detect(image)
    assert len(faces) == 6
    return image, faces


@pytest.mark.parametrize("size", [112, 224])
def test_matrix_matches_the_reference_on_detected_faces(group_faces, size):
    for face in group_faces[1]:
        ours = alignment_matrix(face.landmarks, (size, size))
        theirs = _reference(face.landmarks, ARCFACE_TEMPLATE * (size / 112))
        assert np.abs(_apply(ours, face.landmarks) - _apply(theirs, face.landmarks)).max() < 1e-3


def test_matrix_matches_the_reference_for_any_template_and_random_points():
    rng = np.random.default_rng(0)
    template = ARCFACE_TEMPLATE * 1.3 + 5  # a teacher's own template, in its crop's pixels
    for _ in range(50):
        points = rng.uniform(0, 640, size=(5, 2))
        ours = alignment_matrix(points, (150, 150), template)
        assert np.abs(_apply(ours, points) - _apply(_reference(points, template), points)).max() < 1e-3


def test_mirrored_landmarks_rotate_rather_than_reflect():
    mirrored = ARCFACE_TEMPLATE * [-1, 1] + [112, 0]
    matrix = alignment_matrix(mirrored)
    assert np.linalg.det(matrix[:, :2]) > 0
    assert np.abs(matrix - _reference(mirrored, ARCFACE_TEMPLATE)).max() < 1e-4


def test_crops_match_insightfaces_norm_crop(group_faces):
    face_align = pytest.importorskip("insightface.utils.face_align", reason="insightface is not installed")
    assert np.array_equal(ARCFACE_TEMPLATE, face_align.arcface_dst)
    image, faces = group_faces
    for face in faces:
        landmarks = np.asarray(face.landmarks, np.float32)
        difference = np.abs(align(image, landmarks).astype(int) - face_align.norm_crop(image, landmarks))
        # Sub-millipixel differences can round a few bilinear samples the other way, never more.
        assert difference.max() <= 1 and (difference > 0).mean() < 0.01


def test_degenerate_landmarks_are_refused():
    with pytest.raises(ValueError):
        alignment_matrix(np.zeros((5, 2)))
