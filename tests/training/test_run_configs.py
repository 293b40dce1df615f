"""The committed run configs load, and distill's flags override them one value at a time."""

import argparse
import json

import pytest

from tests.fixtures import ROOT

pytest.importorskip("torch")

from training.config import TrainConfig  # noqa: E402
from training.distill import register  # noqa: E402

CONFIGS = sorted((ROOT / "training" / "configs").glob("*.json"))


def distill_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    return parser.parse_args(["distill", "--cache", "c", "--out", "o", *argv])


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_committed_config_is_complete_and_round_trips(path):
    data = json.loads(path.read_text())
    data.pop("_doc", None)  # a config's own note on what it is for
    cfg = TrainConfig.load(path)
    # Every field written out, so the file alone says what the run used, whatever the defaults become.
    assert data == json.loads(json.dumps(cfg.to_dict()))


def test_flags_override_a_committed_config():
    from training.distill import config_from_args

    path = ROOT / "training" / "configs" / "student_se.json"
    saved = TrainConfig.load(path)
    cfg = config_from_args(distill_args("--config", str(path), "--epochs", "2"))
    assert cfg.epochs == 2 and saved.epochs != 2
    assert (cfg.lr, cfg.freeze_bn, cfg.augment.strength, cfg.backbone.se) == (
        saved.lr,
        saved.freeze_bn,
        saved.augment.strength,
        saved.backbone.se,
    )
    assert config_from_args(distill_args()) == TrainConfig()
