"""`distill`: train the student on cached teacher embeddings; the one training loop.

Checkpoints under runs/NAME/: last.pt (every epoch and every `checkpoint_minutes`, enough to
resume mid-epoch), best.pt (best held-out TAR@FAR=1e-3), history.jsonl (one line per epoch),
config.json. Validation holds out whole CelebA identities and scores every pair among them.

The default student and how it was chosen: see config.BackboneConfig. Threads: on a shared
CPU use one per run (`--threads 1`) and run variants side by side; a 2-thread step measured up
to 7x slower than a 1-thread one while other jobs held the cores, as OpenMP waits on
descheduled threads.
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from training.backbone import StudentNet, count_macs, count_params
from training.config import BackboneConfig, TrainConfig
from training.data import Batches, Cache, RowView, resize, split_identities, student_format, to_tensor
from training.losses import DistillLoss
from training.teacher_init import init_from_onnx

EVAL_BATCH = 256
HEAD_FIT_ROWS = 20_000  # training rows the heads of a teacher-started run are fitted on


def seed_everything(seed: int):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def lr_factor(progress: float, warmup: float) -> float:
    """Linear warm-up over the first `warmup` of the run, then cosine decay to zero at 1."""
    if progress < warmup:
        return max(progress / warmup, 1e-3)
    return 0.5 * (1 + math.cos(math.pi * min(1.0, (progress - warmup) / max(1e-9, 1 - warmup))))


def make_optimizer(cfg: TrainConfig, params) -> torch.optim.Optimizer:
    params = list(params)
    # Weight decay on BN/PReLU/bias parameters only shrinks them towards a worse network.
    groups = [
        {"params": [p for p in params if p.ndim > 1], "weight_decay": cfg.weight_decay},
        {"params": [p for p in params if p.ndim <= 1], "weight_decay": 0.0},
    ]
    if cfg.optimizer == "adamw":
        return torch.optim.AdamW(groups, lr=cfg.lr)
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=cfg.lr, momentum=0.9, nesterov=True)
    raise ValueError(f"optimizer must be adamw or sgd, got {cfg.optimizer!r}")


@torch.no_grad()
def embed(model: StudentNet, crops: np.ndarray | RowView, device, rows: np.ndarray | None = None) -> np.ndarray:
    """Normalised embeddings of 112 crops (those of `rows` when given, read a batch at a time)
    with their mirrors summed, as evaluation does."""
    model.eval()
    size = model.cfg.input_size
    rows = np.arange(len(crops)) if rows is None else rows
    out = []
    for i in range(0, len(rows), EVAL_BATCH):
        x = to_tensor(np.stack([resize(c, size) for c in crops[rows[i : i + EVAL_BATCH]]]))
        x = x.to(device, memory_format=torch.channels_last)
        out.append((model(x) + model(x.flip(3))).cpu().numpy())
    model.train()
    e = np.concatenate(out)
    return e / np.linalg.norm(e, axis=1, keepdims=True)


def verification(embeddings: np.ndarray, labels: np.ndarray, far: float = 1e-3) -> dict:
    """All same-identity pairs against all different-identity pairs of the held-out people.

    accuracy: best-threshold accuracy on the positives and as many sampled negatives (the LFW
    balance); tar: share of positives above the threshold that lets `far` of negatives through."""
    sims = embeddings @ embeddings.T
    upper = np.triu_indices(len(labels), 1)
    same = labels[upper[0]] == labels[upper[1]]
    pos, neg = sims[upper][same], sims[upper][~same]
    if len(pos) == 0 or len(neg) == 0:
        return {"accuracy": float("nan"), "tar": float("nan"), "pairs": [int(len(pos)), int(len(neg))]}
    threshold = np.quantile(neg, 1 - far)
    sample = np.random.default_rng(0).choice(neg, size=min(len(neg), len(pos)), replace=False)
    scores = np.concatenate([pos, sample])
    truth = np.concatenate([np.ones(len(pos), bool), np.zeros(len(sample), bool)])
    order = np.argsort(-scores)
    # Accuracy when the threshold falls after each sorted score: positives above plus negatives below.
    correct = np.cumsum(truth[order]) + (len(sample) - np.cumsum(~truth[order]))
    return {
        "accuracy": float(correct.max() / len(scores)),
        "tar": float((pos > threshold).mean()),
        "pairs": [int(len(pos)), int(len(neg))],
    }


class Run:
    def __init__(self, cfg: TrainConfig, cache: Cache, out: Path, device: torch.device):
        self.cfg, self.cache, self.out, self.device = cfg, cache, out, device
        self.train_idx, self.val_idx = split_identities(
            cache.labels, cfg.val_fraction, cfg.seed, cache.source_rows(cfg.val_source)
        )
        # Classes for the margin head: training identities only, renumbered densely.
        train_labels = cache.labels[self.train_idx]
        known = np.unique(train_labels[train_labels >= 0])
        remap = np.full(cache.labels.max() + 2, -1, np.int64)
        remap[known] = np.arange(len(known))
        self.train_labels = remap[cache.labels]
        # channels_last measured 2.5x faster than NCHW for this net's depthwise convs on CPU.
        # Module.to takes memory_format at run time, but torch's typed overloads leave it out.
        self.model = StudentNet(cfg.backbone).to(device, memory_format=torch.channels_last)  # type: ignore[call-overload]
        self.loss = DistillLoss(cfg.loss, cfg.backbone.emb_size, cache.teacher.shape[1], len(known)).to(device)
        self.optimizer = make_optimizer(cfg, list(self.model.parameters()) + list(self.loss.parameters()))
        labelled_cache = Cache(
            cache.crops,
            self.train_labels,
            cache.teacher,
            cache.teacher_mirror,
            cache.identities,
            cache.sources,
            cache.source_names,
        )
        self.batches = Batches(
            labelled_cache, self.train_idx, cfg.backbone.input_size, cfg.batch, cfg.augment, cfg.seed, cfg.per_identity
        )
        self.total_steps = cfg.epochs * len(self.batches)
        self.warmup = min(0.5, cfg.warmup_epochs / cfg.epochs)
        self.epoch, self.batch_in_epoch, self.step, self.best = 0, 0, 0, -1.0
        self.history: list[dict[str, float]] = []
        self.elapsed = 0.0  # training seconds, kept across resumes for the time budget

    @torch.no_grad()
    def start_from_teacher(self, path: str):
        """The teacher's weights in the student (teacher_init), then the training-only heads
        where that student already is: the projection as the least-squares map from its
        embeddings to the teacher's, each margin class weight as its identity's mean embedding.
        Random heads would send large, wrong gradients into a net that is already good, and
        undo part of the start. Only for a fresh run: a resumed one loads all of this."""
        print(init_from_onnx(self.model, path), flush=True)
        # A sample is enough to fit 256 x D numbers, and embedding a whole pool would take a
        # CPU most of an hour; classes without a sampled photo keep their random start.
        fit = self.train_idx
        if len(fit) > HEAD_FIT_ROWS:
            fit = np.sort(np.random.default_rng(self.cfg.seed).choice(fit, HEAD_FIT_ROWS, replace=False))
        own = embed(self.model, self.cache.crops, self.device, fit)
        target = self.cache.target(fit)
        if isinstance(self.loss.project, torch.nn.Linear):
            solution = np.linalg.lstsq(own, target, rcond=None)[0]
            self.loss.project.weight.copy_(torch.from_numpy(solution.T.astype(np.float32)))
        if self.loss.margin is not None:
            labels = self.train_labels[fit]
            known = labels >= 0
            centres = np.zeros(tuple(self.loss.margin.weight.shape), np.float32)
            np.add.at(centres, labels[known], own[known])
            sampled = np.unique(labels[known])
            self.loss.margin.weight[sampled] = torch.from_numpy(centres[sampled])
        projected = self.loss.project(torch.from_numpy(own).to(self.device)).cpu().numpy()
        cosine = (projected * target).sum(1) / np.linalg.norm(projected, axis=1)
        print(f"heads fitted on {len(own)} crops: projected cosine to teacher {cosine.mean():.4f}", flush=True)

    def state(self) -> dict:
        return {
            "config": self.cfg.to_dict(),
            "input_format": student_format(self.cfg.backbone.input_size).to_metadata(),
            "model": self.model.state_dict(),
            "loss": self.loss.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "epoch": self.epoch,
            "batch_in_epoch": self.batch_in_epoch,
            "step": self.step,
            "best": self.best,
            "history": self.history,
            "elapsed": self.elapsed,
        }

    def save(self, name: str):
        tmp = self.out / f"{name}.tmp"
        torch.save(self.state(), tmp)
        tmp.replace(self.out / name)  # a run killed mid-write keeps its previous checkpoint

    def resume(self, path: Path):
        state = torch.load(path, map_location=self.device, weights_only=False)
        self.model.load_state_dict(state["model"])
        self.loss.load_state_dict(state["loss"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.epoch, self.batch_in_epoch, self.step = state["epoch"], state["batch_in_epoch"], state["step"]
        self.best, self.history, self.elapsed = state["best"], state["history"], state["elapsed"]

    def validate(self) -> dict:
        embeddings = embed(self.model, self.cache.crops, self.device, self.val_idx)
        return verification(embeddings, self.cache.labels[self.val_idx])

    def progress(self) -> float:
        """Fraction of the run done: by steps, or by time when a budget is set and it runs out
        first, so that on a busy shared CPU the schedule still anneals to zero by the deadline."""
        done = self.step / self.total_steps
        budget = 60 * self.cfg.time_budget_minutes
        return max(done, self.elapsed / budget) if budget else done

    def set_lr(self):
        factor = lr_factor(self.progress(), self.warmup)
        for group in self.optimizer.param_groups:
            group["lr"] = self.cfg.lr * factor

    def validate_and_save(self, seen: int, started: float, sums: dict):
        """One history line for the batches since `started`; best.pt if held-out TAR rose."""
        metrics = self.validate()
        record = {
            "epoch": self.epoch + 1,
            "batches": self.batch_in_epoch,
            "minutes": round(self.elapsed / 60, 1),
            "lr": self.optimizer.param_groups[0]["lr"],
            "images_per_s": round(seen / max(1e-9, time.monotonic() - started), 1),
            **{k: round(v * self.cfg.batch / max(1, seen), 5) for k, v in sums.items()},
            **{f"val_{k}": v for k, v in metrics.items()},
        }
        self.history.append(record)
        print(json.dumps(record), flush=True)
        with open(self.out / "history.jsonl", "a") as f:
            f.write(json.dumps(record) + "\n")
        if self.batch_in_epoch >= len(self.batches):
            self.epoch += 1
            self.batch_in_epoch = 0
        if metrics["tar"] > self.best:
            self.best = metrics["tar"]
            self.save("best.pt")
        self.save("last.pt")

    def train(self):
        saved_at = validated_at = time.monotonic()
        while self.epoch < self.cfg.epochs and self.progress() < 1:
            self.model.train()
            if self.cfg.freeze_bn:
                for m in self.model.modules():
                    if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                        m.eval()
            bar = tqdm(
                self.batches.epoch(self.epoch, self.batch_in_epoch),
                total=len(self.batches),
                initial=self.batch_in_epoch,
                desc=f"epoch {self.epoch + 1}/{self.cfg.epochs}",
                mininterval=1 if sys.stderr.isatty() else 30,
            )
            seen, started, sums = 0, time.monotonic(), {}
            for images, targets, labels in bar:
                if self.progress() >= 1:
                    break
                tick = time.monotonic()
                self.set_lr()
                student = self.model(images.to(self.device, memory_format=torch.channels_last))
                total, terms = self.loss(student, targets.to(self.device), labels.to(self.device))
                self.optimizer.zero_grad(set_to_none=True)
                total.backward()
                self.optimizer.step()
                self.step += 1
                self.batch_in_epoch += 1
                self.elapsed += time.monotonic() - tick
                seen += len(images)
                for k, v in terms.items():
                    sums[k] = sums.get(k, 0.0) + v
                rate = seen / (time.monotonic() - started)
                bar.set_postfix({**{k: f"{v:.4f}" for k, v in terms.items()}, "img/s": f"{rate:.1f}"}, refresh=False)
                if (
                    self.cfg.val_minutes
                    and time.monotonic() - validated_at > 60 * self.cfg.val_minutes
                    and self.batch_in_epoch < len(self.batches)
                ):
                    self.validate_and_save(seen, started, sums)
                    seen, started, sums = 0, time.monotonic(), {}
                    saved_at = validated_at = time.monotonic()
                elif time.monotonic() - saved_at > 60 * self.cfg.checkpoint_minutes:
                    self.save("last.pt")
                    saved_at = time.monotonic()
            bar.close()
            self.validate_and_save(seen, started, sums)
            saved_at = validated_at = time.monotonic()


def config_from_args(args) -> TrainConfig:
    """The committed run config named by --config (else the defaults), then any flags given."""
    cfg = TrainConfig.load(args.config) if args.config else TrainConfig()
    b = cfg.backbone
    cfg.backbone = BackboneConfig(
        width=args.width if args.width is not None else b.width,
        depth=tuple(int(v) for v in args.depth.split(",")) if args.depth else b.depth,
        input_size=args.input_size or b.input_size,
        emb_size=args.emb_size or b.emb_size,
        se=b.se and not args.no_se,
    )
    for name in (
        "epochs",
        "batch",
        "per_identity",
        "lr",
        "optimizer",
        "seed",
        "threads",
        "time_budget_minutes",
        "init_from",
        "val_source",
        "val_minutes",
    ):
        value = getattr(args, name)
        if value is not None:
            setattr(cfg, name, value)
    if args.margin_kind:
        cfg.loss.margin_kind = args.margin_kind
    if args.margin is not None:
        cfg.loss.margin = args.margin
    if args.relational is not None:
        cfg.loss.relational = args.relational
    if args.augment is not None:
        cfg.augment.strength = args.augment
    if args.freeze_bn:
        cfg.freeze_bn = True
    return cfg


def run(args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    last = out / "last.pt"
    if args.resume and last.exists():
        # The run's own config wins on resume: changing it midway would not be the same run.
        # Only the time budget may grow, to extend a run that a busy machine cut short; its
        # cosine schedule then stretches over the longer budget.
        cfg = TrainConfig.from_dict(torch.load(last, map_location="cpu", weights_only=False)["config"])
        if args.time_budget_minutes:
            cfg.time_budget_minutes = max(cfg.time_budget_minutes, args.time_budget_minutes)
    else:
        cfg = config_from_args(args)
    torch.set_num_threads(cfg.threads or os.cpu_count())
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    seed_everything(cfg.seed)
    cache = Cache.load(args.cache, args.teacher_name)
    trainer = Run(cfg, cache, out, device)
    if args.resume and last.exists():
        trainer.resume(last)
        print(f"resumed {last} at epoch {trainer.epoch + 1}, batch {trainer.batch_in_epoch}", flush=True)
    elif cfg.init_from:
        trainer.start_from_teacher(cfg.init_from)
    (out / "config.json").write_text(json.dumps(cfg.to_dict(), indent=1))
    print(
        f"student {count_params(trainer.model) / 1e6:.3f} M params, "
        f"{count_macs(trainer.model, cfg.backbone.input_size) / 1e6:.1f} M MACs; "
        f"{len(trainer.train_idx)} train / {len(trainer.val_idx)} val images; "
        f"{len(trainer.batches)} batches per epoch; {torch.get_num_threads()} threads on {device}",
        flush=True,
    )
    if trainer.step == 0:
        teacher = cache.target(trainer.val_idx)
        print(json.dumps({"teacher_val": verification(teacher, cache.labels[trainer.val_idx])}), flush=True)
        if cfg.init_from:
            print(json.dumps({"init_val": trainer.validate()}), flush=True)
    trainer.train()
    print(f"done: best val TAR@FAR=1e-3 {trainer.best:.4f}, {out / 'best.pt'}", flush=True)


def register(subparsers):
    p = subparsers.add_parser("distill", help="train the student from cached teacher embeddings")
    p.add_argument("--cache", required=True)
    p.add_argument("--out", required=True, help="run directory, e.g. runs/NAME")
    p.add_argument("--teacher-name", default="teacher", help="which cached teacher (teacher-embed --name)")
    p.add_argument(
        "--config",
        metavar="JSON",
        help="a run config (training/configs/*.json, or a run's config.json); flags below override it",
    )
    p.add_argument("--width", type=float)
    p.add_argument("--depth", help="blocks per stage, e.g. 5,7,3")
    p.add_argument("--input-size", type=int)
    p.add_argument("--emb-size", type=int)
    p.add_argument("--no-se", action="store_true", help="bottlenecks without squeeze-and-excitation")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch", type=int)
    p.add_argument("--per-identity", type=int, help="batches of groups of K photos of one person (0: plain shuffle)")
    p.add_argument("--lr", type=float)
    p.add_argument("--optimizer", choices=("adamw", "sgd"))
    p.add_argument("--margin-kind", choices=("arcface", "cosface"))
    p.add_argument("--seed", type=int)
    p.add_argument("--threads", type=int, help="torch threads (default: every core)")
    p.add_argument(
        "--time-budget-minutes",
        type=float,
        help="end (LR annealed to zero) after this much training time even if epochs remain",
    )
    p.add_argument("--relational", type=float, help="weight of the relational (similarity-matrix) term")
    p.add_argument("--margin", type=float, help="weight of the margin-softmax term")
    p.add_argument("--augment", type=float, help="augmentation strength (1: full ranges, 0: mirror only)")
    p.add_argument("--freeze-bn", action="store_true", help="train with BatchNorm's running statistics fixed")
    p.add_argument("--init-from", help="start from this ONNX teacher's weights (it must have the student's layers)")
    p.add_argument("--val-source", help="hold out people of this pool source only, e.g. celeba")
    p.add_argument("--val-minutes", type=float, help="also validate every N training minutes (0: epoch ends)")
    p.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    p.set_defaults(func=run)
