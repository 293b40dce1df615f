"""training.verification metrics on hand-made scores, pairs-file parsing, and `evaluate` end to end
on a small real LFW subset."""

from __future__ import annotations

import argparse
import json
import re

import numpy as np
import pytest

from training.eval import evaluate, verification

# ---------------------------------------------------------------- metrics


def test_perfectly_separable_scores_give_100_percent():
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.3, 0.2, 0.1, 0.0] * 5)
    labels = np.array([1, 1, 1, 1, 0, 0, 0, 0] * 5)
    folds = np.repeat(np.arange(1, 6), 8)
    m = verification.verification_metrics(scores, labels, folds)
    assert m["accuracy_mean"] == 1.0 and m["accuracy_std"] == 0.0
    assert 0.3 < m["best_threshold"] < 0.6
    assert m["auc"] == 1.0
    assert all(p["tar"] == 1.0 and p["far"] == 0.0 for p in m["tar_at_far"].values())


def test_tar_at_far_on_known_scores():
    negatives = np.arange(1000) / 1000  # 0.000 .. 0.999
    positives = np.array([2.0, 0.9985, 0.95, 0.5])
    scores = np.concatenate([positives, negatives])
    labels = np.concatenate([np.ones(4), np.zeros(1000)])
    # FAR <= 1e-3 lets exactly one of the 1,000 negatives (0.999) through, and with it 0.9985.
    tar, threshold, far = verification.tar_at_far(scores, labels, 1e-3)
    assert (tar, far) == (0.5, 0.001)
    assert 0.998 < threshold < 0.9985
    # FAR <= 1e-4 allows no false accept: only 2.0 is above every negative.
    tar, threshold, far = verification.tar_at_far(scores, labels, 1e-4)
    assert (tar, far) == (0.25, 0.0)
    assert 0.999 <= threshold < 2.0


def test_metrics_match_brute_force_with_ties():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 400)
    scores = np.round(rng.normal(labels * 0.8, 0.5), 1)  # coarse: many ties across classes
    threshold, acc = verification.best_threshold(scores, labels)
    candidates = np.concatenate([np.unique(scores), [scores.min() - 1]])
    assert acc == pytest.approx(max(np.mean((scores > t) == labels) for t in candidates))
    assert verification.accuracy(scores, labels, threshold) == pytest.approx(acc)
    pos, neg = scores[labels == 1], scores[labels == 0]
    mann_whitney = np.mean((pos[:, None] > neg) + 0.5 * (pos[:, None] == neg))
    assert verification.roc_auc(scores, labels) == pytest.approx(mann_whitney)


def test_kfold_picks_each_threshold_on_the_other_folds():
    # Folds 1 and 3 put the threshold near 0.25, which fails fold 2's different pair at 0.4.
    scores = np.array([0.3, 0.35, 0.2, 0.1, 0.5, 0.4, 0.3, 0.35, 0.2, 0.1])
    labels = np.array([1, 1, 0, 0, 1, 0, 1, 1, 0, 0])
    folds = np.array([1, 1, 1, 1, 2, 2, 3, 3, 3, 3])
    accuracies, thresholds = verification.kfold_accuracy(scores, labels, folds)
    assert accuracies.tolist() == [1.0, 0.5, 1.0]
    assert thresholds[1] == pytest.approx(0.25)
    with pytest.raises(ValueError, match="two folds"):
        verification.kfold_accuracy(scores, labels, np.ones(10))


# ---------------------------------------------------------------- pairs files


def test_lfw_pairs_file_is_read_with_folds_and_paths(lfw):
    pairs = evaluate.read_lfw_pairs(evaluate.find_lfw_pairs(lfw), lfw)
    assert len(pairs) == 6000
    assert [sum(p.fold == f for p in pairs) for f in range(1, 11)] == [600] * 10
    assert pairs[0].same and not pairs[300].same and pairs[600].same and pairs[600].fold == 2
    assert pairs[0].path1.parent == pairs[0].path2.parent
    assert re.fullmatch(r".+_\d{4}\.jpg", pairs[0].path1.name)
    assert all(p.path1.is_file() and p.path2.is_file() for p in pairs[:20])


def test_generic_pairs_file(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("# a comment\na/1.jpg b/2.jpg 1\n\n" + "a/1.jpg c/3.jpg 0\n" * 11)
    pairs = evaluate.read_pairs(plain, tmp_path)
    assert [p.fold for p in pairs] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2]
    assert pairs[0].same and not pairs[1].same and pairs[0].path1 == tmp_path / "a" / "1.jpg"
    folded = tmp_path / "folded.txt"
    folded.write_text("my photos/1.jpg\tb/2.jpg\t1\t4\n")
    assert evaluate.read_pairs(folded, tmp_path)[0].fold == 4
    assert evaluate.read_pairs(folded, tmp_path)[0].path1.name == "1.jpg"
    mixed = tmp_path / "mixed.txt"
    mixed.write_text("a b 1 1\na c 0\n")
    with pytest.raises(ValueError, match="every line or on none"):
        evaluate.read_pairs(mixed, tmp_path)
    bad = tmp_path / "bad.txt"
    bad.write_text("a b yes\n")
    with pytest.raises(ValueError, match="line 1"):
        evaluate.read_pairs(bad, tmp_path)


# ---------------------------------------------------------------- end to end


def _first_fold_subset(lfw, path, per_class=20):
    """A generic pairs file of fold 1's first same and first different LFW pairs."""
    pairs = evaluate.read_lfw_pairs(evaluate.find_lfw_pairs(lfw), lfw)
    chosen = pairs[:per_class] + pairs[300 : 300 + per_class]
    path.write_text("".join(f"{p.path1.relative_to(lfw)} {p.path2.relative_to(lfw)} {int(p.same)}\n" for p in chosen))


def test_evaluate_teacher_on_lfw_subset(lfw, teachers, tmp_path, capsys):
    pytest.importorskip("core.vision.detect", reason="core.vision.detect (the Detector) is not written yet")
    pairs_file = tmp_path / "pairs.txt"
    _first_fold_subset(lfw, pairs_file)
    parser = argparse.ArgumentParser()
    evaluate.register(parser.add_subparsers())
    args = parser.parse_args(
        [
            "evaluate",
            "--model",
            str(teachers / "mobileface_v2.onnx"),
            "--pairs",
            str(pairs_file),
            "--root",
            str(lfw),
            "--out",
            str(tmp_path / "report"),
            "--quiet",
        ]
    )
    assert args.func(args) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    match = re.fullmatch(r"accuracy=(\d+\.\d\d) std=\d+\.\d\d tar@far1e-3=\d+\.\d\d tar@far1e-4=\d+\.\d\d", last)
    assert match and float(match.group(1)) > 85.0
    report = json.loads((tmp_path / "report" / "metrics.json").read_text())
    assert report["metrics"]["pairs"] == 40 and report["faces"]["images"] > 60
    assert (
        report["faces"]["detected"] + report["faces"]["small_face"] + report["faces"]["assumed"]
        == report["faces"]["images"]
    )
    for name in ("summary.md", "roc.png", "scores.png", "scores.tsv"):
        assert (tmp_path / "report" / name).stat().st_size > 0


def test_evaluate_scores_the_face_at_the_centre_not_the_largest(lfw, teachers):
    """In Bill_Clinton_0009.jpg a bystander's cut-off face at the left edge is the largest box;
    the pair is about the man in the middle, and evaluate must embed him."""
    from core.vision.detect import Detector
    from core.vision.embed import Embedder
    from core.vision.imaging import load_image
    from core.vision.pipeline import FacePipeline

    path = lfw / "Bill_Clinton" / "Bill_Clinton_0009.jpg"
    pipeline = FacePipeline(Detector(min_face=40), Embedder(teachers / "mobileface_v2.onnx"))
    faces = pipeline.detect(path)
    # The bystander's box is as large as his, within a pixel or two either way depending on the
    # resampling: size cannot be what picks the face.
    assert len(faces) >= 2 and any(face.landmarks.mean(axis=0)[0] < 100 for face in faces)
    assert abs(faces[0].size - faces[1].size) < 3
    centre = min(faces, key=lambda f: np.linalg.norm(f.landmarks.mean(axis=0) - 125))
    sets = evaluate.SetEmbedder(pipeline, fallback_min_face=20)
    sets.embed_all([path], progress=False)
    expected = pipeline.embedder.embed(load_image(path), [centre.landmarks])[0]
    assert sets.how[path] == "detected"
    assert np.allclose(sets.embeddings[path], expected, atol=1e-6)
