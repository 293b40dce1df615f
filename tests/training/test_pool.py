"""The training-face pool (training/pool.py) and the resumable teacher targets, on real faces:
tight crops of the people in insightface's t1.jpg and its Tom Hanks photo."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

pytest.importorskip("torch", reason="training needs PyTorch")

from core.vision.detect import Detector
from core.vision.imaging import load_image
from tests.fixtures import TEACHERS
from training import pool, teacher
from training.data import Cache
from training.errors import TrainingError

EDGEFACE = TEACHERS / "edgeface_xs.onnx"
needs_edgeface = pytest.mark.skipif(
    not EDGEFACE.is_file(), reason=f"EdgeFace-XS not found at {EDGEFACE} (shared models absent)"
)


@pytest.fixture(scope="module")
def faces(sample_images) -> list[np.ndarray]:
    """Tight crops (the detector's box, no margin) of t1.jpg's people, as FairFace-style sources ship them."""
    image = load_image(sample_images / "t1.jpg")
    found = sorted(Detector(min_face=20).detect(image), key=lambda f: f.box[0])
    assert len(found) >= 6
    return [image[int(max(0, f.box[1])) : int(f.box[3]), int(max(0, f.box[0])) : int(f.box[2])] for f in found[:6]]


def write(path: Path, image: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), image)
    return path


@pytest.fixture
def sources(tmp_path, faces, sample_images) -> dict:
    """A named people source (three people, plus Tom Hanks, who is an LFW name) and a flat
    source of three more faces and a copy of one person's photo."""
    people, flat = tmp_path / "people", tmp_path / "flat"
    for name, face in zip(("Ann Lee", "Bo Chan", "Cy Diaz"), faces[:3]):
        write(people / f"pins_{name}" / "1.jpg", face)
    (people / "pins_Tom Hanks").mkdir()
    shutil.copy(sample_images / "Tom_Hanks_54745.png", people / "pins_Tom Hanks")
    for i, face in enumerate(faces[3:], 3):
        write(flat / ("train" if i % 2 else "val") / f"{i}.jpg", face)
    shutil.copy(people / "pins_Ann Lee" / "1.jpg", flat / "val" / "copy.jpg")
    lfw = tmp_path / "lfw"
    (lfw / "Tom_Hanks").mkdir(parents=True)  # only LFW's folder names are read
    config = tmp_path / "pool.json"
    options = {"pad": 0.25, "min_face": 20}
    config.write_text(
        json.dumps(
            {
                "sources": {
                    "people": {"layout": "people", "named": True, "strip_prefix": "pins_", **options},
                    "flat": {"layout": "flat", **options},
                }
            }
        )
    )
    return {"folders": {"people": people, "flat": flat}, "lfw": lfw, "config": config, "out": tmp_path / "pool"}


def test_pool_merges_sources_without_lfw_people_or_repeats(sources):
    out = sources["out"]
    manifest = pool.build_pool(sources["folders"], out, sources["lfw"], sources["config"])
    people, flat = manifest["sources"]
    assert people["lfw_dropped"] == ["Tom Hanks"] and people["kept"] == 3
    assert manifest["identities"] == ["ann_lee", "bo_chan", "cy_diaz"]
    # Tight crops are found again with the border; the copy of Ann Lee's photo is dropped.
    assert flat["faces"] == 4 and flat["repeated"] == 1 and flat["kept"] == 3
    crops = np.load(out / "crops.npy")
    assert crops.shape == (6, 112, 112, 3) and len({pool.crop_hash(c) for c in crops}) == 6
    assert np.load(out / "labels.npy").tolist() == [0, 1, 2, -1, -1, -1]
    assert np.load(out / "sources.npy").tolist() == [0, 0, 0, 1, 1, 1]
    assert not any("Tom Hanks" in p or "copy" in p for p in manifest["paths"])

    # A second build keeps the finished parts and merges the same pool.
    part = out / "parts" / "flat" / "crops.npy"
    stamp = part.stat().st_mtime_ns
    assert pool.build_pool(sources["folders"], out, sources["lfw"], sources["config"])["paths"] == manifest["paths"]
    assert part.stat().st_mtime_ns == stamp


def test_caps_keep_every_person_and_grow_by_prefix(sources):
    config = json.loads(sources["config"].read_text())
    config["sources"]["people"]["per_person"] = 1
    write(
        sources["folders"]["people"] / "pins_Ann Lee" / "2.jpg",
        cv2.flip(cv2.imread(str(sources["folders"]["people"] / "pins_Bo Chan" / "1.jpg")), 1),
    )
    sources["config"].write_text(json.dumps(config))
    manifest = pool.build_pool(sources["folders"], sources["out"], sources["lfw"], sources["config"])
    assert manifest["sources"][0]["over_per_person"] == 1
    assert sorted(np.load(sources["out"] / "labels.npy")[:3].tolist()) == [0, 1, 2]

    paths = [Path(f"{i}.jpg") for i in range(50)]
    small, _ = pool.sample(paths, [-1] * 50, 10)
    large, _ = pool.sample(paths, [-1] * 50, 30)
    assert len(small) == 10 and set(small) < set(large) and large == [p for p in paths if p in set(large)]


def test_config_must_name_the_source(sources):
    with pytest.raises(TrainingError, match="not in"):
        pool.build_pool({"nope": sources["folders"]["flat"]}, sources["out"], None, sources["config"])


@pytest.mark.shared
@needs_edgeface
def test_teacher_targets_resume_and_screen_lfw_lookalikes(sources, faces, tmp_path, monkeypatch):
    out, config = sources["out"], json.loads(sources["config"].read_text())
    config["sources"]["flat"]["max_photos"] = 2
    sources["config"].write_text(json.dumps(config))
    pool.build_pool(sources["folders"], out, sources["lfw"], sources["config"])
    monkeypatch.setattr(teacher, "PART", 2)  # faces per saved part
    first = teacher.teacher_embed(out, str(EDGEFACE), workers=1)
    assert first["faces"] == first["embedded"] == 5 and first["ms_per_face_per_view"] > 0
    small = np.load(out / "teacher.npy")

    # The pool grows (every flat photo): rows move, only the new face is embedded.
    config["sources"]["flat"]["max_photos"] = 0
    sources["config"].write_text(json.dumps(config))
    pool.build_pool(sources["folders"], out, sources["lfw"], sources["config"])
    grown = teacher.teacher_embed(out, str(EDGEFACE), workers=1)
    assert grown["faces"] == 6 and grown["embedded"] == 1
    targets = np.load(out / "teacher.npy")
    assert targets.shape == (6, 512) and np.allclose(targets[:3], small[:3])

    os.remove(out / "teacher_parts" / "00000001.npz")  # as if killed before that part was saved
    again = teacher.teacher_embed(out, str(EDGEFACE), workers=1)
    assert again["embedded"] == 2 and np.allclose(np.load(out / "teacher.npy"), targets, atol=1e-5)
    done = teacher.teacher_embed(out, str(EDGEFACE), workers=1)
    assert done["embedded"] == 0 and done["ms_per_face_per_view"] is None
    with pytest.raises(TrainingError, match="another teacher"):
        teacher.teacher_embed(out, str(EDGEFACE.with_name("edgeface_xxs.onnx")), workers=1)

    # An "LFW" person whose other photo (smaller, re-encoded) is flat row 3 (t1's fourth face).
    lfw = tmp_path / "lfw_photos"
    write(lfw / "Someone" / "a.jpg", cv2.resize(faces[3], None, fx=0.8, fy=0.8))
    from training.prepare import prepare

    prepare(lfw, tmp_path / "lfw_cache", pad=0.25, min_face=20, workers=1)
    teacher.teacher_embed(tmp_path / "lfw_cache", str(EDGEFACE), workers=1)
    report = pool.screen_lfw(out, tmp_path / "lfw_cache", far=0.34, reference="people")
    assert report["sources"]["people"]["dropped"] == 0  # named and the reference: never screened
    assert report["sources"]["flat"]["dropped"] >= 1
    rows = np.load(out / "teacher_rows.npy")
    assert 3 not in rows and {0, 1, 2} <= set(rows.tolist()) and len(np.load(out / "teacher.npy")) == len(rows)
    cache = Cache.load(out)
    assert len(cache.labels) == len(rows) and cache.crops[0].shape == (112, 112, 3)
    assert np.array_equal(cache.crops[len(rows) - 1], np.load(out / "crops.npy")[rows[-1]])
