"""`python -m training openset`: the LFW protocol (who is enrolled, probed, a stranger), the FPIR
threshold, and an end-to-end run of the bundled student on a slice of LFW."""

from __future__ import annotations

import json
import os
import re

import numpy as np
import pytest

from core.matching.thresholds import settings_thresholds
from core.settings import Settings
from core.vision.embed import Embedder
from tests.fixtures import ROOT
from training.eval.openset import fpir_threshold, lfw_protocol

STUDENT = ROOT / "assets" / "models" / "student.onnx"
VERIFIER = ROOT / "assets" / "models" / "edgeface_xs.onnx"


@pytest.fixture(scope="module")
def lfw_slice(lfw, tmp_path_factory):
    """The first 400 LFW people (links, no copies): about 150 with several photos."""
    root = tmp_path_factory.mktemp("lfw")
    for folder in sorted(p for p in lfw.iterdir() if p.is_dir())[:400]:
        os.symlink(folder, root / folder.name)
    return root


def test_protocol_enrols_first_photos_and_draws_strangers_with_a_seed(lfw_slice):
    p = lfw_protocol(lfw_slice, strangers=50)
    assert p == lfw_protocol(lfw_slice, strangers=50)  # deterministic
    assert p.enrolled != lfw_protocol(lfw_slice, strangers=50, seed=1).enrolled
    for name in p.enrolled:
        photos = sorted((lfw_slice / name).glob("*.jpg"))
        assert len(photos) >= 2 and p.gallery[name] == photos[0] and p.probes[name] == tuple(photos[1:])
    assert len(p.strangers) == 50 and len(set(p.strangers)) == 50
    assert all(len(list(s.parent.glob("*.jpg"))) == 1 for s in p.strangers)
    assert {s.parent.name for s in p.strangers}.isdisjoint(p.enrolled)
    assert p.sizes() == [10, 100, len(p.enrolled)]


def test_fpir_threshold_names_at_most_that_share():
    scores = np.random.default_rng(0).normal(0.0, 0.1, 1000)
    for fpir in (0.01, 0.001, 0.0):
        t = fpir_threshold(scores, fpir)
        assert np.mean(scores >= t) <= fpir
        # ... and is the lowest such threshold: one step lower names one stranger more.
        assert np.mean(scores >= np.nextafter(t, -np.inf)) > fpir


def test_openset_run_end_to_end(lfw_slice, tmp_path, capsys):
    from training.__main__ import main

    out = tmp_path / "report"
    main(
        [
            "openset",
            "--model",
            str(STUDENT),
            "--lfw",
            str(lfw_slice),
            "--strangers",
            "100",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    printed = capsys.readouterr().out.strip().splitlines()
    assert re.fullmatch(r"fnir_at_fpir1=\d+\.\d\d", printed[-1])
    assert (out / "openset.png").stat().st_size > 10_000
    summary = (out / "summary.md").read_text()
    assert "| 10 |" in summary and "| 100 |" in summary
    report = json.loads((out / "metrics.json").read_text())
    sizes = report["models"][0]["sizes"]
    embedder = Embedder(STUDENT)
    for s in sizes:
        # The kiosk's threshold for that many templates, under default Settings.
        assert s["threshold"] == settings_thresholds(embedder, Settings(), s["size"]).attendance
        assert 0.0 <= s["fpir"] <= 1.0 and 0.0 <= s["fnir"] <= 1.0
        # Holding strangers to 0.1 % costs at least as many enrolled people as holding them to 1 %.
        assert s["fnir_at_fpir"]["0.001"] >= s["fnir_at_fpir"]["0.01"]
    assert [s["threshold"] for s in sizes] == sorted(s["threshold"] for s in sizes)
    assert printed[-1] == f"fnir_at_fpir1={100 * sizes[-1]['fnir_at_fpir']['0.01']:.2f}"


def test_openset_through_the_cascade_misses_fewer_than_the_student_alone(lfw_slice, capsys):
    """--verifier runs the kiosk's cascade (one result per shortlist size) at the verifier's thresholds."""
    from training.__main__ import main

    args = ["openset", "--model", str(STUDENT), "--lfw", str(lfw_slice), "--strangers", "100", "--quiet"]
    main(args)
    alone = float(capsys.readouterr().out.strip().splitlines()[-1].split("=")[1])
    main([*args, "--verifier", str(VERIFIER), "--shortlist", "1,5"])
    printed = capsys.readouterr().out.strip().splitlines()
    assert re.fullmatch(r"fnir_at_fpir1=\d+\.\d\d,\d+\.\d\d", printed[-1])
    k1, k5 = (float(v) for v in printed[-1].split("=")[1].split(","))
    assert "checked by edgeface_xs, shortlist 5" in "\n".join(printed)
    # The verifier's scores separate people better than the student's; a longer shortlist lets
    # it find people the student ranked second or lower.
    assert k5 <= k1 and k5 < alone
