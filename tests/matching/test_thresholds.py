"""Thresholds that follow the gallery: the bundled student's impostor scores, the rule, the manual
floors, the fallback of a model without them, the kiosk using it on 1,000 real enrolled people,
and the metadata written by `training impostor` and `training export`."""

from __future__ import annotations

import logging
import math
import os
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import numpy as np
import onnx
import pytest

from core.errors import FaceGateError
from core.matching.thresholds import (
    IMPOSTOR_KEY,
    UNLOCK_FALSE_ACCEPT,
    ImpostorTail,
    effective_thresholds,
    gallery_in_use,
    per_pair_rate,
    settings_thresholds,
    thresholds_in_use,
)
from core.settings import RANGES, Settings
from core.vision.embed import Embedder
from tests.fixtures import ROOT, SHARED

STUDENT = ROOT / "assets" / "models" / "student.onnx"
CELEBA = SHARED / "data" / "train" / "celeba"


@pytest.fixture(scope="module")
def student() -> Embedder:
    embedder = Embedder(STUDENT)
    assert IMPOSTOR_KEY in embedder.metadata, "the bundled student ships its impostor scores"
    return embedder


@pytest.fixture
def without_tail(tmp_path) -> Path:
    """The bundled student with its impostor scores removed: a real model that carries none."""
    model = onnx.load(str(STUDENT))
    kept = [p for p in model.metadata_props if p.key != IMPOSTOR_KEY]
    del model.metadata_props[:]
    model.metadata_props.extend(kept)
    path = tmp_path / "no_tail.onnx"
    onnx.save(model, str(path))
    return path


def test_threshold_rises_with_the_gallery(student):
    s = Settings(match_threshold=0.0, unlock_threshold=0.0)
    sizes = [1, 10, 100, 1000, 10_000]
    t = [settings_thresholds(student, s, n) for n in sizes]
    attendance = [x.attendance for x in t]
    assert all(a < b for a, b in pairwise(attendance)), attendance
    # Unlock is one face against one person: the gallery does not move it.
    assert len({x.unlock for x in t}) == 1
    assert t[0].unlock == pytest.approx(ImpostorTail.from_metadata(student.metadata).score_at(UNLOCK_FALSE_ACCEPT))
    # A stricter target asks for a higher threshold at the same size.
    assert settings_thresholds(student, replace(s, stranger_target=1e-4), 100).attendance > t[2].attendance


def test_rule_holds_strangers_to_the_target(student):
    """The chosen threshold's per-pair rate, over N comparisons, names a stranger at the target."""
    tail = ImpostorTail.from_metadata(student.metadata)
    for n in (1, 30, 1000, 50_000):
        t = settings_thresholds(student, Settings(match_threshold=0.0), n).attendance
        named = 1 - (1 - tail.exceedance(t)) ** n
        assert named == pytest.approx(0.001, rel=1e-3)
    assert per_pair_rate(0.001, 1000) == pytest.approx(1.0005e-6, rel=1e-3)


def test_tail_is_continuous_and_inverts(student):
    tail = ImpostorTail.from_metadata(student.metadata)
    ps = np.logspace(-1, -9, 81)
    scores = [tail.score_at(p) for p in ps]
    assert all(a < b for a, b in pairwise(scores))
    # No jump where the table hands over to the fitted tail.
    below, above = tail.score_at(tail.tail_p * 0.999), tail.score_at(tail.tail_p * 1.001)
    assert abs(below - above) < 1e-3
    for p in (0.05, 2e-3, 1e-4, 1e-7):
        assert math.log(tail.exceedance(tail.score_at(p))) == pytest.approx(math.log(p), abs=1e-6)


def test_manual_thresholds_are_floors(student):
    rule = settings_thresholds(student, Settings(match_threshold=0.0, unlock_threshold=0.0), 5)
    strict = settings_thresholds(student, Settings(match_threshold=0.95, unlock_threshold=0.97), 5)
    assert (strict.attendance, strict.unlock) == (0.95, 0.97)
    assert strict.attendance_rule == rule.attendance and "(floor)" in strict.describe()
    lax = settings_thresholds(student, Settings(match_threshold=0.1, unlock_threshold=0.1), 5)
    assert (lax.attendance, lax.unlock) == (rule.attendance, rule.unlock)


def test_model_without_impostor_scores_falls_back_with_a_note(without_tail, caplog):
    embedder = Embedder(without_tail)
    settings = Settings(match_threshold=0.31, unlock_threshold=0.42)
    with caplog.at_level(logging.WARNING, logger="core.matching.thresholds"):
        small, large = (settings_thresholds(embedder, settings, n) for n in (3, 3000))
    assert (small.attendance, small.unlock) == (large.attendance, large.unlock) == (0.31, 0.42)
    assert not small.follows_gallery and "fixed" in small.describe()
    assert "no impostor scores" in caplog.text


def test_kiosk_threshold_follows_enrolment_and_deactivation(store, pipeline, enrolled, lfw_photos):
    from core.enrol.enroller import Enroller
    from core.kiosk.kiosk import Kiosk

    if IMPOSTOR_KEY not in pipeline.embedder.metadata:
        pytest.skip("the model under test carries no impostor scores")
    kiosk = Kiosk(store, pipeline)
    before = kiosk.cascade.student_thresholds.attendance
    assert kiosk.cascade.student_thresholds.gallery_size == 3
    other = (
        Enroller(store, pipeline)
        .enrol_photos("Colin Powell", lfw_photos("Colin_Powell", ("0040", "0049", "0071", "0095", "0133")))
        .person
    )
    kiosk.invalidate()
    kiosk.process(np.zeros((120, 160, 3), np.uint8))  # the next frame applies the change
    assert kiosk.cascade.student_thresholds.gallery_size > 3 and kiosk.cascade.student_thresholds.attendance > before
    store.deactivate(other.id)
    kiosk.invalidate()
    kiosk.process(np.zeros((120, 160, 3), np.uint8))
    assert (kiosk.cascade.student_thresholds.gallery_size, kiosk.cascade.student_thresholds.attendance) == (3, before)


def test_thresholds_in_use_from_the_count_match_the_gallery(store, pipeline, enrolled):
    settings = store.load_settings()
    gallery, in_use = gallery_in_use(store, pipeline.embedder, settings)
    assert len(gallery) == in_use.gallery_size == 3
    assert thresholds_in_use(store, pipeline.embedder, settings) == in_use
    store.deactivate(enrolled.id)
    counted = thresholds_in_use(store, pipeline.embedder, settings)
    assert counted == gallery_in_use(store, pipeline.embedder, settings)[1] and counted.gallery_size == 0


def test_kiosk_uses_the_fallback_for_such_a_model(without_tail, store):
    from core.kiosk.kiosk import Kiosk
    from core.vision.detect import Detector
    from core.vision.pipeline import FacePipeline

    kiosk = Kiosk(store, FacePipeline(Detector(), Embedder(without_tail)))
    assert kiosk.cascade.student_thresholds.attendance == store.load_settings().match_threshold
    assert not kiosk.cascade.student_thresholds.follows_gallery


def test_unreadable_metadata_counts_as_none():
    assert ImpostorTail.from_metadata({IMPOSTOR_KEY: '{"quantiles": 3}'}) is None
    t = effective_thresholds({IMPOSTOR_KEY: "not json"}, 10, 0.001, 0.3, 0.4)
    assert (t.attendance, t.unlock, t.follows_gallery) == (0.3, 0.4, False)


def test_settings_refuse_an_impossible_stranger_target():
    for bad in (0.0, 1.0, -3.0, float("nan")):
        with pytest.raises(FaceGateError, match="stranger target"):
            Settings(stranger_target=bad)
    # A bad stored row is skipped: the default target stands.
    assert Settings.from_items({"stranger_target": "0"}).stranger_target == Settings().stranger_target


# ---------------------------------------------------------------- the kiosk, 1,000 real people


def test_strangers_stay_unnamed_against_1000_enrolled(store, pipeline, lfw, camera_folder):
    """1,000 LFW people enrolled (first photo each, as the open-set protocol enrols), 150 other
    one-photo LFW people in front of the kiosk: the threshold is the 1,000-template one, and at
    most the target's share of stranger frames is named (0.1 %: none of these 150)."""
    from core.kiosk.kiosk import Kiosk
    from training.eval.openset import lfw_protocol

    if IMPOSTOR_KEY not in pipeline.embedder.metadata:
        pytest.skip("the model under test carries no impostor scores")
    protocol = lfw_protocol(lfw, strangers=150)
    people = protocol.enrolled[:1000]
    model_id, version = pipeline.embedder.model_id, pipeline.embedder.metadata.get("facegate.model_version", "")
    small = Kiosk(store, pipeline).thresholds
    for name in people:
        faces = pipeline.faces(protocol.gallery[name], max_faces=1)
        if faces:
            store.enrol([faces[0].embedding], model_id, version, 1.0, "photo", name=name.replace("_", " "))
    kiosk = Kiosk(store, pipeline)
    assert kiosk.cascade.student_thresholds.gallery_size >= 990
    assert kiosk.cascade.student_thresholds.attendance > small.attendance
    results = [kiosk.process(frame) for frame in _frames(protocol.strangers)]
    faces = [face for r in results for face in r.faces]
    assert len(faces) >= 140
    assert [f.name for f in faces if f.known] == []
    assert not any(r.events for r in results)


def _frames(paths):
    from core.vision.imaging import load_image

    for path in paths:
        yield load_image(path)


# ---------------------------------------------------------------- writing the metadata


@pytest.fixture(scope="module")
def celeba_cache(tmp_path_factory) -> Path:
    """A crop cache of 40 real CelebA people (prepare, one worker)."""
    if not CELEBA.is_dir():
        pytest.skip(f"CelebA not found at {CELEBA}: ../shared/data is needed for this test")
    from training.prepare import prepare

    src = tmp_path_factory.mktemp("celeba")
    for folder in sorted(p for p in CELEBA.iterdir() if p.is_dir())[:40]:
        os.symlink(folder, src / folder.name)
    cache = tmp_path_factory.mktemp("cache")
    prepare(src, cache, workers=1)
    return cache


def _graph_and_weights(path: Path) -> bytes:
    model = onnx.load(str(path))
    del model.metadata_props[:]
    return model.SerializeToString(deterministic=True)


@pytest.mark.shared
def test_impostor_command_adds_metadata_without_touching_weights(celeba_cache, tmp_path, capsys):
    from training.__main__ import main

    model = tmp_path / "student.onnx"
    model.write_bytes(STUDENT.read_bytes())
    config = tmp_path / "config.json"
    config.write_text('{"val_fraction": 0.5, "seed": 0}')
    main(["impostor", "--model", str(model), "--cache", str(celeba_cache), "--config", str(config), "--write"])
    printed = capsys.readouterr().out
    assert "of the 20 people held out of training" in printed
    assert _graph_and_weights(model) == _graph_and_weights(STUDENT)
    embedder = Embedder(model)
    assert embedder.model_id == Embedder(STUDENT).model_id
    tail = ImpostorTail.from_metadata(embedder.metadata)
    assert tail is not None and tail.pairs > 10_000 and "20 people held out" in tail.source
    # The bundled student's own tail, from 62 held-out people, agrees on the common range.
    shipped = ImpostorTail.from_metadata(Embedder(STUDENT).metadata)
    assert abs(tail.score_at(1e-2) - shipped.score_at(1e-2)) < 0.05


@pytest.mark.shared
def test_export_writes_each_files_own_impostor_scores(celeba_cache, tmp_path):
    """Round trip: export with the cache -> the fp32 and int8 files carry tails core reads back."""
    import torch

    from training.__main__ import main
    from training.backbone import StudentNet
    from training.config import BackboneConfig, TrainConfig
    from training.data import student_format

    torch.manual_seed(0)
    cfg = TrainConfig(
        backbone=BackboneConfig(width=0.25, depth=(1, 1, 1, 1), input_size=32, emb_size=16), val_fraction=0.5
    )
    checkpoint = tmp_path / "tiny" / "best.pt"
    checkpoint.parent.mkdir()
    torch.save(
        {
            "config": cfg.to_dict(),
            "input_format": student_format(32).to_metadata(),
            "model": StudentNet(cfg.backbone).state_dict(),
            "epoch": 1,
            "history": [],
        },
        checkpoint,
    )
    out = tmp_path / "student.onnx"
    main(["export", "--checkpoint", str(checkpoint), "--out", str(out), "--int8", "--cache", str(celeba_cache)])
    tails = [ImpostorTail.from_metadata(Embedder(p).metadata) for p in (out, out.with_name("student_int8.onnx"))]
    assert all(t is not None and "20 people held out" in t.source for t in tails)
    assert tails[0] != tails[1]  # each file measured on its own
    t = settings_thresholds(Embedder(out), Settings(match_threshold=0.0), 100)
    assert t.follows_gallery and t.attendance == pytest.approx(tails[0].score_at(per_pair_rate(0.001, 100)))


# ---------------------------------------------------------------- what the screens show


def test_status_bar_and_settings_show_the_thresholds_in_use(qtbot, window, store, pipeline, enrolled, person_folder):
    if IMPOSTOR_KEY not in pipeline.embedder.metadata:
        pytest.skip("the model under test carries no impostor scores")
    expected = settings_thresholds(pipeline.embedder, store.load_settings(), 3)
    win = window(person_folder)
    qtbot.waitUntil(lambda: "enrolled templates" in win.admin.system.threshold_label.text(), timeout=20_000)
    assert (
        f"student: 3 enrolled templates: attendance {expected.attendance:.3f}"
        in win.admin.system.threshold_label.text()
    )
    win.enter_admin()
    win.admin.setCurrentWidget(win.admin.settings)
    page = win.admin.settings
    assert f"with 3 stored faces: check-in needs a likeness of {expected.attendance:.3f}" in page.effective.text()
    assert "minimums" in page.effective.text()
    page.stranger_target.setValue(0.01)  # percent: a stricter target
    page.save()
    assert store.load_settings().stranger_target == pytest.approx(1e-4)
    stricter = settings_thresholds(pipeline.embedder, store.load_settings(), 3)
    assert stricter.attendance > expected.attendance
    assert f"check-in needs a likeness of {stricter.attendance:.3f}" in page.effective.text()
    # Each field offers exactly what Settings accepts, so Save never clamps a value silently.
    fields = {
        "match_threshold": page.match_threshold,
        "unlock_threshold": page.unlock_threshold,
        "consecutive_frames": page.consecutive,
        "cooldown_s": page.cooldown,
        "min_face": page.min_face,
    }
    assert {name: (box.minimum(), box.maximum()) for name, box in fields.items()} == {n: RANGES[n] for n in fields}
    low, high = RANGES["stranger_target"]
    assert (page.stranger_target.minimum(), page.stranger_target.maximum()) == pytest.approx((100 * low, 100 * high))
