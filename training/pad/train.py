"""`python -m training pad`: the liveness student, fine-tuned towards the two-teacher ensemble.

The student is the lighter reference network's own layers and weights (MiniFASNet V2, one crop at
x2.7, read out of its ONNX by training/pad/graph.py) moved towards the averaged softmax of both
reference teachers (V2 at x2.7 and V1SE at x4.0) on frames that are not in the evaluation set
(training/pad/data.py), plus the known live/attack label of each frame. One network at one crop
scale keeps the per-face cost of one teacher while learning from both.

The operating points are picked on held-out training subjects, never on ../shared/data/pad.
Writes OUT (the ONNX with face.*/pad.* metadata) and OUT with .json (data counts, validation
rates, thresholds, command).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from core.liveness.pad import DEFAULT_THRESHOLDS, PAD_KIND, PadModel
from training.onnx_meta import graph_digest, write_metadata
from training.pad.data import LIVE, SOURCES, label, nuaa_frames, nuaa_subjects, with_synthetic
from training.pad.graph import OnnxGraphModule
from training.teacher import flush_denormals

STUDENT_SCALE = 2.7
LICENCE = (
    "Apache-2.0 teacher lineage (MiniFASNet, minivision-ai Silent-Face-Anti-Spoofing); fine-tuned "
    "on NUAA Photograph Imposter Database frames (research use, redistribution terms unstated) "
    "and synthetic attacks made from them"
)


def build_data(args, rng: np.random.Generator) -> dict[str, np.ndarray]:
    cache = Path(args.data_dir) / "pad_train.npz"
    if cache.is_file():
        return dict(np.load(cache))
    exclude = nuaa_subjects(Path(args.exclude))
    print(f"NUAA subjects in the evaluation set, left out: {sorted(exclude)}", flush=True)
    frames = nuaa_frames(Path(args.nuaa_repo), exclude, args.step)
    frames = with_synthetic(frames, rng)
    teachers = [PadModel(spec) for spec in args.teachers.split(",")]
    data = label(frames, teachers, STUDENT_SCALE, (80, 80), args.jitters, rng)
    Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    # numpy's stub types savez's allow_pickle keyword, which an array name in **data could be.
    np.savez_compressed(cache, **data)  # type: ignore[arg-type]
    return data


def _live_scores(model: torch.nn.Module, crops: np.ndarray) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        x = torch.from_numpy(crops.astype(np.float32).transpose(0, 3, 1, 2))
        return torch.cat([F.softmax(model(b), 1)[:, LIVE] for b in x.split(256)]).numpy()


def rates(scores: np.ndarray, live: np.ndarray, threshold: float) -> tuple[float, float]:
    """(APCER, BPCER) at a threshold."""
    return float((scores[~live] >= threshold).mean()), float((scores[live] < threshold).mean())


def operating_points(scores: np.ndarray, live: np.ndarray) -> dict[str, dict[str, float]]:
    """Validation APCER and BPCER at each strictness's threshold."""
    return {
        name: {"threshold": t, **dict(zip(("apcer", "bpcer"), rates(scores, live, t)))}
        for name, t in DEFAULT_THRESHOLDS.items()
    }


def train(args) -> None:
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    data = build_data(args, rng)
    val = np.isin(data["subject"], args.val_subjects.split(","))
    live = data["kind"] == LIVE
    counts = {SOURCES[s]: int((data["source"] == s).sum()) for s in range(len(SOURCES))}
    print(f"{len(val)} crops ({counts}); validation subjects {args.val_subjects}: {int(val.sum())}", flush=True)
    teacher_v = args.teachers.split(",")[0].rsplit("@", 1)[0]
    model = OnnxGraphModule(teacher_v)
    x_all = torch.from_numpy(data["crops"].astype(np.float32).transpose(0, 3, 1, 2))
    soft_all = torch.from_numpy(data["soft"])
    live_all = torch.from_numpy(live.astype(np.float32))
    train_idx = np.flatnonzero(~val)
    before = _live_scores(model, data["crops"][val])
    if args.init:
        model.load_state_dict(torch.load(args.init, map_location="cpu"))
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    start = time.time()
    history = []
    for epoch in range(args.epochs):
        model.train()
        perm = rng.permutation(train_idx)
        total = 0.0
        for i in range(0, len(perm), args.batch):
            idx = torch.from_numpy(perm[i : i + args.batch])
            x = x_all[idx]
            flip = torch.rand(len(idx)) < 0.5
            x = torch.where(flip[:, None, None, None], x.flip(3), x)
            logp = F.log_softmax(model(x), 1)
            kd = F.kl_div(logp, soft_all[idx], reduction="batchmean")
            p_live = logp[:, LIVE].exp().clamp(1e-6, 1 - 1e-6)
            hard = F.binary_cross_entropy(p_live, live_all[idx])
            loss = kd + args.hard_weight * hard
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        s = _live_scores(model, data["crops"][val])
        apcer, bpcer = rates(s, live[val], 0.5)
        history.append(
            {"epoch": epoch + 1, "loss": total / len(train_idx), "val_apcer@0.5": apcer, "val_bpcer@0.5": bpcer}
        )
        print(
            f"epoch {epoch + 1} loss {total / len(train_idx):.4f} val APCER {apcer:.3f} BPCER {bpcer:.3f} "
            f"({time.time() - start:.0f} s)",
            flush=True,
        )
    model.eval()
    scores = _live_scores(model, data["crops"][val])
    torch.save(model.state_dict(), Path(args.data_dir) / "pad_student.pt")
    thresholds = dict(DEFAULT_THRESHOLDS)
    export(model, Path(args.out), thresholds)
    ensemble = data["soft"][val][:, LIVE]
    report = {
        "command": "python -m training pad " + " ".join(sys.argv[2:]),
        "init": args.init,
        "crops": counts,
        "train_crops": int((~val).sum()),
        "val_crops": int(val.sum()),
        "val_subjects": args.val_subjects,
        "thresholds": thresholds,
        "history": history,
        "validation": {
            name: operating_points(s, live[val])
            for name, s in (("student", scores), ("start (V2 weights)", before), ("teacher ensemble", ensemble))
        },
        "minutes": round((time.time() - start) / 60, 1),
    }
    Path(args.out).with_suffix(".json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report["validation"]), flush=True)
    print(f"wrote {args.out} thresholds {thresholds}")


def export(model: torch.nn.Module, out: Path, thresholds: dict[str, float]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            model,
            (torch.zeros(1, 3, 80, 80),),
            str(out),
            dynamo=False,
            opset_version=17,
            input_names=["input"],
            output_names=["logits"],
        )
    flush_denormals(out, out)
    write_metadata(
        out,
        {
            "face.kind": PAD_KIND,
            "face.input_size": "80,80",
            "face.channel_order": "BGR",
            "face.mean": "0",
            "face.std": "1",
            "pad.crop_scale": f"{STUDENT_SCALE:g}",
            "pad.live_class": str(LIVE),
            "pad.classes": "print,live,replay",
            **{f"pad.threshold.{k}": f"{v:g}" for k, v in thresholds.items()},
            "facegate.model_id": f"pad-{graph_digest(out)}",
            "facegate.licence": LICENCE,
        },
    )


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "pad",
        help="fine-tune and export the liveness (presentation-attack) student",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    shared = Path(__file__).resolve().parent.parent.parent / "shared"
    anti = shared / "models" / "anti-spoof"
    p.add_argument("--nuaa-repo", required=True, help="git dir of an imironica/liveness snapshot (fetch tool)")
    p.add_argument(
        "--exclude",
        default=str(shared / "data" / "pad" / "nuaa"),
        help="NUAA evaluation folder: its subjects are left out of training",
    )
    p.add_argument(
        "--teachers",
        default=f"{anti / 'minifasnet_v2_scale2.7.onnx'}@2.7,{anti / 'minifasnet_v1se_scale4.0.onnx'}@4.0",
        help="PATH@SCALE,...: the first is also the student's starting point",
    )
    p.add_argument("--data-dir", default="/work/data_pad", help="where the labelled crops are cached (not the repo)")
    p.add_argument("--out", default="assets/models/pad.onnx")
    p.add_argument("--step", type=int, default=6, help="every STEP-th NUAA frame")
    p.add_argument("--jitters", type=int, default=2, help="boxes per frame (the first unjittered)")
    p.add_argument("--val-subjects", default="0015,0016")
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-5)
    p.add_argument("--hard-weight", type=float, default=0.5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--init", metavar="PT", help="start from a saved student state (with --epochs 0: export it again)")
    p.set_defaults(func=train)
