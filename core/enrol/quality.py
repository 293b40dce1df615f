"""Quality gates for enrolment: whether a photo or camera frame shows one face well enough to
become a template, and if not, a reason the person in front of the camera can act on."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.i18n import QT_TRANSLATE_NOOP, Phrase
from core.types import Face
from core.vision.align import ARCFACE_TEMPLATE, align
from core.vision.detect import PNET_WINDOW, Detector

CROP_SIZE = (112, 112)
# Enrolment looks for faces down to this size, well under min_face_px, so that a face that is only
# small is refused as "too small: come closer", not as "no face found".
SEARCH_MIN_FACE = 20


@dataclass(frozen=True)
class QualityGates:
    min_face_px: int = 80
    # Variance of the Laplacian of the aligned 112x112 gray crop; LFW's soft JPEGs score 50-650,
    # motion blur falls below 30.
    min_sharpness: float = 35.0
    min_brightness: float = 50.0
    max_brightness: float = 210.0
    max_roll_deg: float = 15.0
    # Nose-to-eye distances, smaller over larger: 1 is frontal, 0 is the nose level with an eye.
    min_frontal: float = 0.35


def frontal_pose(landmarks: np.ndarray) -> tuple[float, float]:
    """(roll in degrees from the eye line, frontal balance 0..1 of the nose between the eyes)."""
    left_eye, right_eye, nose = np.asarray(landmarks, np.float64)[:3]
    roll = math.degrees(math.atan2(right_eye[1] - left_eye[1], right_eye[0] - left_eye[0]))
    to_left, to_right = nose[0] - left_eye[0], right_eye[0] - nose[0]
    if to_left <= 0 or to_right <= 0:
        return roll, 0.0
    return roll, min(to_left, to_right) / max(to_left, to_right)


# ITU-R BT.601 luma from B, G, R: the gray the brightness and sharpness gates were set on.
GRAY_WEIGHTS = np.array([0.114, 0.587, 0.299])


def laplacian_variance(gray: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian (edges mirrored): low for a blurred face."""
    padded = np.pad(gray, 1, mode="reflect")
    laplacian = padded[:-2, 1:-1] + padded[2:, 1:-1] + padded[1:-1, :-2] + padded[1:-1, 2:] - 4 * padded[1:-1, 1:-1]
    return float(laplacian.var())


def enrolment_faces(detector: Detector, image: np.ndarray, gates: QualityGates) -> list[Face]:
    """The faces check_face judges, largest first. Searched down to half the smallest face
    enrolled, so that any face big enough to count as a second person is seen, whatever size the
    kiosk sharing this detector looks for; and, where none is found, down to SEARCH_MIN_FACE, only
    to say "too small: come closer" rather than "no face" (a finer search for every photo moves
    the landmarks of faces it would find anyway)."""
    faces = detector.detect(image, min_face=max(PNET_WINDOW, gates.min_face_px // 2))
    return faces or detector.detect(image, min_face=min(SEARCH_MIN_FACE, gates.min_face_px))


def _reason(template: str, **values: object) -> Phrase:
    return Phrase("Enrolment", template, **values)


def check_face(
    image: np.ndarray, faces: Sequence[Face], gates: QualityGates
) -> tuple[np.ndarray | None, float, Phrase | None]:
    """(aligned crop, quality 0..1, None) for an acceptable image, else (None, 0, the reason)."""
    if not faces:
        return None, 0.0, _reason(QT_TRANSLATE_NOOP("Enrolment", "no face found: face the camera in good light"))
    face = faces[0]
    # A distant passer-by in the background is not a second person being enrolled.
    if sum(f.size >= face.size / 2 for f in faces) > 1:
        return (
            None,
            0.0,
            _reason(
                QT_TRANSLATE_NOOP(
                    "Enrolment", "more than one face: only the person being enrolled should be in the picture"
                )
            ),
        )
    if face.size < gates.min_face_px:
        return (
            None,
            0.0,
            _reason(
                QT_TRANSLATE_NOOP("Enrolment", "face too small ({size} px, need {need}): come closer"),
                size=f"{face.size:.0f}",
                need=gates.min_face_px,
            ),
        )
    roll, frontal = frontal_pose(face.landmarks)
    if abs(roll) > gates.max_roll_deg:
        return (
            None,
            0.0,
            _reason(
                QT_TRANSLATE_NOOP("Enrolment", "head tilted {degrees}°: keep your eyes level"),
                degrees=f"{abs(roll):.0f}",
            ),
        )
    if frontal < gates.min_frontal:
        return None, 0.0, _reason(QT_TRANSLATE_NOOP("Enrolment", "face turned away: look straight at the camera"))
    crop = align(image, face.landmarks, CROP_SIZE, ARCFACE_TEMPLATE)
    # Rounded to gray levels, as the gates' thresholds were measured.
    gray = np.rint(crop.astype(np.float64) @ GRAY_WEIGHTS)
    brightness = float(gray.mean())
    if brightness < gates.min_brightness:
        return None, 0.0, _reason(QT_TRANSLATE_NOOP("Enrolment", "too dark: add light in front of the face"))
    if brightness > gates.max_brightness:
        return None, 0.0, _reason(QT_TRANSLATE_NOOP("Enrolment", "too bright: avoid direct light or glare on the face"))
    sharpness = laplacian_variance(gray)
    if sharpness < gates.min_sharpness:
        return None, 0.0, _reason(QT_TRANSLATE_NOOP("Enrolment", "blurred: hold still (or use a sharper photo)"))
    quality = face.score * min(1.0, sharpness / (3 * gates.min_sharpness)) * (0.5 + 0.5 * frontal)
    return crop, round(quality, 3), None
