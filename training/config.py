"""Small dataclass configs for the student and its training run, in the spirit of insightface's
arcface_torch configs: one object holds every number that changes a run, and it is saved in each
checkpoint so a run can be resumed, exported or reproduced from the checkpoint alone."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from training.errors import TrainingError


@dataclass
class BackboneConfig:
    # The default is the lightest shared teacher's shape (MobileFace V2: 4 stages of 3
    # bottlenecks, 112x112, 256-d) plus SE, so a run can start from its weights: 0.92 M params,
    # 41 M MACs, ~3.7 MB fp32. Trained from scratch, 50 CPU minutes left a smaller net
    # (0.55 M, 96x96) at 84.7% on LFW; starting from a teacher is what makes the CPU budget enough.
    width: float = 1.0
    # Bottlenecks per stride-2 stage (1/4, 1/8, 1/16, 1/32 of the input side).
    depth: tuple[int, ...] = (3, 3, 3, 3)
    input_size: int = 112
    emb_size: int = 256
    se: bool = True

    def __post_init__(self):
        self.depth = tuple(int(d) for d in self.depth)
        if self.input_size % 16:
            raise ValueError("input size must be a multiple of 16")


@dataclass
class LossConfig:
    """Weights of the terms in distill's objective.

    cosine: 1 - cos(projected student, teacher), the main signal.
    l2: Euclidean distance between the same normalised vectors; squared it would only be
        2 x the cosine term, unsquared it keeps a gradient near zero error. Off by default.
    relational: MSE between the batch's student and teacher cosine-similarity matrices, on the
        student's own embedding, so the vector the app stores keeps the teacher's geometry even
        though the cosine term acts through a training-only projection.
    margin: margin-softmax cross-entropy on identity labels (label >= 0 only); small, since the
        teacher already carries identity and 1,200 classes are few.

    The weights balance per-sample gradients, not loss values: at the start of a run the cosine
    term's gradient on the student is O(1), the relational MSE's ~20x smaller (its errors are
    ~0.1 and spread over the batch), and s=32 margin logits give up to 32; at 5 / 0.1 the
    margin term's gradient was ~3x the cosine term's (CE ~23 x 0.1) and drowned the teacher.
    """

    cosine: float = 1.0
    l2: float = 0.0
    relational: float = 20.0
    margin: float = 0.03
    margin_kind: str = "arcface"  # or "cosface"
    margin_m: float = 0.4
    margin_s: float = 32.0


@dataclass
class AugmentConfig:
    mirror: float = 0.5
    shift: float = 0.04  # fraction of the side
    scale: float = 0.06
    rotate: float = 8.0  # degrees
    brightness: float = 0.25
    contrast: float = 0.25
    saturation: float = 0.25
    blur: float = 0.2  # probability of a small Gaussian blur
    grayscale: float = 0.05
    # Multiplies every range and probability above except the mirror's. The cached teacher
    # target belongs to the unaugmented view: strong changes make the target wrong for the view.
    # 1 suits a run from random weights; a run from a teacher's weights learns from a target
    # that is nearly right already, and 0.3 kept that (assets/models/README.md).
    strength: float = 1.0


@dataclass
class TrainConfig:
    backbone: BackboneConfig = field(default_factory=BackboneConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    epochs: int = 12
    # Small batches: on a CPU the run is short in steps, and more, noisier steps beat fewer.
    batch: int = 64
    # Photos of one person per batch group (data.Batches); 0: plain shuffle.
    per_identity: int = 0
    lr: float = 2e-3
    weight_decay: float = 0.05
    warmup_epochs: float = 0.25
    optimizer: str = "adamw"  # or "sgd"
    seed: int = 0
    val_fraction: float = 0.05  # of identities, never of images
    # Hold out people of this source of a `pool` cache only ("": any): checkpoints are picked
    # on held-out CelebA people, whatever else the pool holds.
    val_source: str = ""
    threads: int = 0  # 0: every core
    checkpoint_minutes: float = 10.0
    # Also validate (and keep best.pt) every this many training minutes, not only at epoch
    # ends: one epoch of a large pool is most of a CPU session. 0: epoch ends only.
    val_minutes: float = 0.0
    time_budget_minutes: float = 0.0  # 0: no limit; see distill.Run.progress
    # An ONNX teacher with the student's layers to start from (teacher_init); "" starts from
    # random weights.
    init_from: str = ""
    # Keep BatchNorm's running statistics fixed (the layers normalise with them in training
    # too): a teacher-initialised net's statistics are already right, and batch statistics of
    # 64 faces moved its embeddings by ~0.04 in cosine before any step was taken.
    freeze_bn: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def load(cls, path: str | Path) -> TrainConfig:
        """A run's config from JSON: a run's own saved config.json, or a committed one from
        training/configs/ (the same format: the to_dict of a TrainConfig, any field left out
        keeps its default; a key it does not know is refused, so a typo cannot pass silently)."""
        data = json.loads(Path(path).read_text())
        unknown = set(data) - {f.name for f in fields(cls)} - {"_doc"}
        if unknown:
            raise TrainingError(f"{path}: unknown settings {', '.join(sorted(unknown))}")
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        sub = {"backbone": BackboneConfig, "loss": LossConfig, "augment": AugmentConfig}
        kwargs = {}
        for f in fields(cls):
            if f.name in data:
                kwargs[f.name] = sub[f.name](**data[f.name]) if f.name in sub else data[f.name]
        return cls(**kwargs)
