"""`export` on a tiny randomly initialised student (parity on real face crops, metadata, core loads
it, int8, thresholds from metrics) and a `bench` smoke run on the exported files."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re

import pytest

pytest.importorskip("training.backbone", reason="training/backbone.py (the student) is not written yet")
pytest.importorskip("core.vision.detect", reason="core.vision.detect is needed to find the real faces for the checks")

import torch

from core.vision.embed import Embedder
from training import export
from training.backbone import StudentNet
from training.config import BackboneConfig, TrainConfig
from training.data import student_format
from training.errors import TrainingError
from training.eval import bench

SIZE, DIM = 32, 16


def _cli(module, *argv) -> str:
    parser = argparse.ArgumentParser()
    module.register(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert args.func(args) == 0
    return printed.getvalue()


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """A checkpoint shaped like distill's, of a tiny random student."""
    torch.manual_seed(0)
    cfg = TrainConfig(backbone=BackboneConfig(width=0.25, depth=(1, 1, 1, 1), input_size=SIZE, emb_size=DIM))
    path = tmp_path_factory.mktemp("runs") / "tiny" / "best.pt"
    path.parent.mkdir()
    torch.save(
        {
            "config": cfg.to_dict(),
            "input_format": student_format(SIZE).to_metadata(),
            "model": StudentNet(cfg.backbone).state_dict(),
            "epoch": 3,
            "history": [{"epoch": 3, "val_tar": 0.5}],
        },
        path,
    )
    return path


@pytest.fixture(scope="module")
def exported(checkpoint, tmp_path_factory):
    """(fp32 path, what export printed); --int8 on, no crop cache: the sample photos' faces."""
    out = tmp_path_factory.mktemp("models") / "student.onnx"
    printed = _cli(
        export,
        "export",
        "--checkpoint",
        str(checkpoint),
        "--out",
        str(out),
        "--int8",
        "--cache",
        str(out.parent / "no_cache"),
    )
    return out, printed


def test_export_matches_pytorch_and_core_loads_it(exported):
    path, printed = exported
    diff, scale = re.search(r"max abs diff (\S+) \(outputs up to (\S+)\)", printed).groups()
    assert float(diff) <= 1e-4 * max(float(scale), 1.0)
    assert "sample photos" in printed
    embedder = Embedder(path)
    assert embedder.dim == DIM
    assert embedder.format.to_metadata() == student_format(SIZE).to_metadata()
    meta = embedder.metadata
    assert meta["face.embedding_size"] == str(DIM)
    assert meta["facegate.model_id"] == embedder.model_id and embedder.model_id.startswith("student-tiny-")
    assert json.loads(meta["facegate.validation"])["val_tar"] == 0.5
    assert "facegate.threshold.attendance" not in meta  # only with --metrics


def test_int8_copy_carries_metadata_and_follows_fp32(exported):
    path, printed = exported
    int8 = Embedder(path.with_name("student_int8.onnx"))
    assert int8.model_id == Embedder(path).model_id + "-int8"
    assert int8.format.to_metadata() == student_format(SIZE).to_metadata()
    assert "static QDQ" in int8.metadata["facegate.quantization"]
    mean_cosine = float(re.search(r"cosine mean (\S+),", printed).group(1))
    assert mean_cosine > 0.9  # a random net quantises worse than a trained one; this catches breakage


def test_metrics_give_thresholds_only_for_the_model_they_measured(exported, checkpoint, tmp_path):
    model_id = Embedder(exported[0]).model_id
    metrics = {
        "model": {"id": model_id},
        "pairs": {"name": "LFW View 2"},
        "flip": True,
        "detector": {"name": "core.vision.detect.Detector (MTCNN)"},
        "metrics": {
            "pairs": 6000,
            "accuracy_mean": 0.99,
            "accuracy_std": 0.004,
            "auc": 0.999,
            "best_threshold": 0.25,
            "tar_at_far": {
                "0.01": {"tar": 0.99, "threshold": 0.24},
                "0.001": {"tar": 0.98, "threshold": 0.31},
                "0.0001": {"tar": 0.95, "threshold": 0.38},
            },
        },
    }
    metrics_file = tmp_path / "metrics.json"
    metrics_file.write_text(json.dumps(metrics))
    out = tmp_path / "student.onnx"
    args = ["export", "--checkpoint", str(checkpoint), "--out", str(out), "--cache", str(tmp_path / "none")]
    _cli(export, *args, "--metrics", str(metrics_file))
    meta = Embedder(out).metadata
    assert meta["facegate.model_id"] == model_id  # re-exporting keeps the id
    assert (meta["facegate.threshold.attendance"], meta["facegate.threshold.unlock"]) == ("0.2400", "0.3100")
    assert json.loads(meta["facegate.metrics"])["accuracy"] == 0.99
    metrics["model"]["id"] = "another-model"
    metrics_file.write_text(json.dumps(metrics))
    before = out.read_bytes()
    with pytest.raises(TrainingError, match="evaluate this export first"):
        _cli(export, *args, "--metrics", str(metrics_file))
    # The refused export left the model it would have replaced, and no scratch files.
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.json", "student.onnx"]


def test_bench_smoke(exported, checkpoint):
    path, _ = exported
    printed = _cli(
        bench,
        "bench",
        "--model",
        str(path.with_name("student_int8.onnx")),
        "--against",
        f"{path},{path}",
        "--runs",
        "3",
    )
    lines = printed.strip().splitlines()
    assert re.fullmatch(r"speedup=\d+\.\d", lines[-1])
    assert any("2 summed" in line for line in lines)
    # Exporting folds BatchNorm into the convolutions, so the file holds fewer numbers than torch.
    torch_params = sum(p.numel() for p in export.load_student(checkpoint)[0].parameters())
    assert 0.5 * torch_params < bench.onnx_params(path) <= torch_params
