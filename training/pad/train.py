"""`python -m training pad`: the liveness student, fine-tuned towards the two-teacher ensemble and
chosen by leave-one-source-out validation.

The student is the lighter reference network's own layers and weights (MiniFASNet V2, one crop at
x2.7, read out of its ONNX by training/pad/graph.py) moved towards the averaged softmax of both
reference teachers (V2 at x2.7 and V1SE at x4.0, each on its own crop of the same box) where the
teachers agree with the known label, and towards the label itself everywhere (the references
refuse some live faces: there the label wins). One network at one crop scale keeps the per-face
cost of one teacher while learning from both.

Data (training/pad/data.py, training/pad/live.py): NUAA webcam frames of subjects not in
../shared/data/pad, SpecDiff's real prints and screen replays with their live frames (--specdiff),
web photos from the face pool's sources, close-ups, capture conditions, and synthetic prints,
replays and paper masks. Every source is held out once (training/pad/loso.py);
the thresholds, `pad.secure_floor` and the score histograms come from those held-out scores,
never from ../shared/data/pad. The final model is trained on every source by the same recipe.

Writes OUT (the ONNX with face.*/pad.* metadata) and OUT with .json (counts, LOSO tables, the
baselines' tables, thresholds, command).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
import torch.nn.functional as F

from core.liveness.pad import PAD_KIND, PadModel
from core.paths import model_path
from training.errors import TrainingError
from training.onnx_meta import graph_digest, write_metadata
from training.pad.data import (
    LIVE,
    SOURCES,
    Frame,
    label,
    nuaa_frames,
    nuaa_subjects,
    specdiff_frames,
    with_boxes,
    with_synthetic,
)
from training.pad.graph import OnnxGraphModule
from training.pad.live import close_up, folder_sample, git_sample
from training.pad.loso import (
    LIVE_LIMIT,
    PRINT_LIMIT,
    REPLAY_LIMIT,
    histograms,
    secure_floor,
    source_rates,
    table,
    worst,
)
from training.teacher import flush_denormals

STUDENT_SCALE = 2.7
LICENCE = (
    "Apache-2.0 teacher lineage (MiniFASNet, minivision-ai Silent-Face-Anti-Spoofing); fine-tuned "
    "on NUAA Photograph Imposter Database frames (research use, redistribution terms unstated), "
    "CelebA and UTKFace photos (non-commercial research only), FairFace photos (CC BY 4.0) and "
    "synthetic attacks made from them: non-commercial research use"
)
# Added to LICENCE when SpecDiff frames were trained on (its README's terms).
SPECDIFF_LICENCE = (
    "; SpecDiff in-house database sample frames (Akinori-F-Ebihara/SpecDiff_in_house_database_sample: "
    "academic research purposes only, no modification or re-distribution)"
)


def photo_frames(args, rng: np.random.Generator) -> list[Frame]:
    """Web photos (live), one group per photo: its jittered variants are its frames."""
    sources = []
    if args.celeba:
        sources.append(("celeba", folder_sample(Path(args.celeba), args.photos, rng)))
    for name, spec in (("fairface", args.fairface), ("utkface", args.utkface)):
        if spec:
            repo, _, folder = spec.partition(":")
            sources.append((name, git_sample(Path(repo), folder, args.photos, rng)))
    return [
        Frame(image, LIVE, f"{name}/{i}", name, f"{name}/{i}")
        for name, images in sources
        for i, image in enumerate(images)
    ]


def close_ups(frames: list[Frame], count: int, rng: np.random.Generator) -> list[Frame]:
    """Webcam live frames re-framed so the face fills the frame, in session order."""
    live = [f for f in frames if f.source == "nuaa-live" and f.box is not None]
    picked = sorted(rng.permutation(len(live))[:count])
    out = []
    for i in picked:
        f = live[i]
        assert f.box is not None
        out.append(Frame(close_up(f.image, f.box, rng), LIVE, f.subject, "closeup", f"closeup/{f.group}"))
    return out


def build_data(args, rng: np.random.Generator) -> dict[str, np.ndarray]:
    cache = Path(args.data_dir) / "pad_loso.npz"
    if cache.is_file():
        return dict(np.load(cache))
    from core.vision.detect import Detector

    detector = Detector(min_face=40)
    exclude = nuaa_subjects(Path(args.exclude))
    if not exclude:
        # Training on the evaluation subjects would make every later bench number meaningless.
        raise TrainingError(f"no NUAA evaluation subjects found in {args.exclude}: name the folder with --exclude")
    print(f"NUAA subjects in the evaluation set, left out: {sorted(exclude)}", flush=True)
    frames = nuaa_frames(Path(args.nuaa_repo), exclude, args.step)
    if args.specdiff:
        frames += specdiff_frames(Path(args.specdiff), args.specdiff_step)
    frames = with_boxes(frames + photo_frames(args, rng), detector)
    frames += with_boxes(close_ups(frames, args.close_ups, rng), detector)
    frames = with_synthetic(frames, rng, detector, args.per_attack)
    print(f"{len(frames)} frames with a face; labelling", flush=True)
    teachers = [PadModel(spec) for spec in args.teachers.split(",")]
    data = label(frames, teachers, STUDENT_SCALE, (80, 80), args.jitters, rng)
    Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    # numpy's stub types savez's allow_pickle keyword, which an array name in **data could be.
    np.savez_compressed(cache, **data)  # type: ignore[arg-type]
    return data


def live_scores(model: torch.nn.Module, crops: np.ndarray) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        x = torch.from_numpy(crops.astype(np.float32).transpose(0, 3, 1, 2))
        return torch.cat([F.softmax(model(b), 1)[:, LIVE] for b in x.split(256)]).numpy()


def onnx_scores(path: str, crops: np.ndarray) -> np.ndarray:
    """A finished model's live scores on the cached crops (they are its own x2.7 80x80 crop)."""
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    out = []
    for crop in crops:
        logits = session.run(None, {name: crop.astype(np.float32).transpose(2, 0, 1)[None]})[0][0]
        e = np.exp(logits - logits.max())
        out.append(e[LIVE] / e.sum())
    return np.array(out)


def fit(args, data: dict[str, np.ndarray], train_idx: np.ndarray, rng: np.random.Generator) -> torch.nn.Module:
    """The recipe every LOSO fold and the final model share: start from the V2 reference."""
    model = OnnxGraphModule(args.teachers.split(",")[0].rsplit("@", 1)[0])
    live = data["kind"] == LIVE
    # The teachers are followed only where they agree with the label; the label always counts.
    agree = (data["soft"][:, LIVE] >= 0.5) == live
    x_all = torch.from_numpy(data["crops"].astype(np.float32).transpose(0, 3, 1, 2))
    soft_all, agree_all = torch.from_numpy(data["soft"]), torch.from_numpy(agree.astype(np.float32))
    live_all = torch.from_numpy(live.astype(np.float32))
    # Each source weighs the same whatever its crop count, so a small source is not drowned out.
    counts = np.maximum(np.bincount(data["source"][train_idx], minlength=len(SOURCES)), 1)
    weight_all = torch.from_numpy(
        (len(train_idx) / (counts[data["source"]] * len(np.unique(data["source"][train_idx])))).astype(np.float32)
    )
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    start = time.time()
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
            kd = (F.kl_div(logp, soft_all[idx], reduction="none").sum(1) * agree_all[idx]) * weight_all[idx]
            p_live = logp[:, LIVE].exp().clamp(1e-6, 1 - 1e-6)
            hard = F.binary_cross_entropy(p_live, live_all[idx], reduction="none") * weight_all[idx]
            loss = (kd + args.hard_weight * hard).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        print(f"  epoch {epoch + 1} loss {total / len(train_idx):.4f} ({time.time() - start:.0f} s)", flush=True)
    return model.eval()


def loso(args, data: dict[str, np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Each crop's live score from the fold that held its source out (folds cached: resumable)."""
    scores = np.full(len(data["kind"]), np.nan, np.float32)
    for s in np.unique(data["source"]):
        held = data["source"] == s
        fold = Path(args.data_dir) / f"loso_{SOURCES[int(s)]}.npy"
        if not fold.is_file():
            print(f"fold: {SOURCES[int(s)]} held out ({int(held.sum())} crops)", flush=True)
            model = fit(args, data, np.flatnonzero(~held), rng)
            np.save(fold, live_scores(model, data["crops"][held]))
        scores[held] = np.load(fold)
    return scores


def thresholds_from(data: dict[str, np.ndarray], scores: np.ndarray) -> tuple[dict[str, float], float]:
    """normal = the secure floor (the lowest threshold keeping every held-out attack source within
    the limits, so the most live people pass); lenient within twice the limits, strict within a
    fifth of them, each kept at least a step away so the three stay ordered even at the top."""
    floor = secure_floor(data, scores, PRINT_LIMIT, REPLAY_LIMIT)
    lenient = min(secure_floor(data, scores, 2 * PRINT_LIMIT, 2 * REPLAY_LIMIT), floor - 0.05)
    strict = max(secure_floor(data, scores, PRINT_LIMIT / 5, REPLAY_LIMIT / 5), floor + (1 - floor) / 2)
    return {"lenient": round(max(lenient, 0.02), 2), "normal": floor, "strict": round(min(strict, 0.999), 3)}, floor


def train(args) -> None:
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    data = build_data(args, rng)
    counts = {SOURCES[s]: int((data["source"] == s).sum()) for s in np.unique(data["source"])}
    print(f"{len(data['kind'])} crops {counts}", flush=True)
    tables = {}
    for name, scores, t in (
        ("shipped pad.onnx", onnx_scores(args.baseline, data["crops"]), PadModel(args.baseline).thresholds["normal"]),
        ("MiniFASNet V2 reference", onnx_scores(args.teachers.split(",")[0].rsplit("@", 1)[0], data["crops"]), 0.5),
        ("two-teacher ensemble", data["soft"][:, LIVE], 0.5),
    ):
        tables[name] = table(name, source_rates(data, scores, t), t)
        print(tables[name], flush=True)
    held_out = loso(args, data, rng)
    thresholds, floor = thresholds_from(data, held_out)
    rows = source_rates(data, held_out, thresholds["normal"])
    tables["student, LOSO"] = table("student, LOSO (held-out source)", rows, thresholds["normal"])
    print(tables["student, LOSO"], flush=True)
    w = worst(rows)
    meets = (
        (w["live"].temporal if w["live"].temporal is not None else w["live"].frame) <= LIVE_LIMIT
        and w["print"].frame <= PRINT_LIMIT
        and w["replay"].frame <= REPLAY_LIMIT
    )
    print(f"thresholds {thresholds} secure_floor {floor} LOSO targets met: {meets}", flush=True)
    start = time.time()
    print("final model on every source", flush=True)
    model = fit(args, data, np.arange(len(data["kind"])), rng)
    torch.save(model.state_dict(), Path(args.data_dir) / "pad_student.pt")
    extra = {"pad.secure_floor": f"{floor:g}", **histograms(data, held_out)}
    export(model, Path(args.out), thresholds, extra, LICENCE + (SPECDIFF_LICENCE if args.specdiff else ""))
    report = {
        "command": "python -m training pad " + " ".join(sys.argv[2:]),
        "crops": counts,
        "thresholds": thresholds,
        "metadata": extra,
        "loso_targets_met": meets,
        "tables": tables,
        "final_minutes": round((time.time() - start) / 60, 1),
    }
    Path(args.out).with_suffix(".json").write_text(json.dumps(report, indent=1))
    print(f"wrote {args.out} thresholds {thresholds}")


def export(
    model: torch.nn.Module,
    out: Path,
    thresholds: dict[str, float],
    extra: dict[str, str] | None = None,
    licence: str = LICENCE,
) -> None:
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
            **(extra or {}),
            "facegate.model_id": f"pad-{graph_digest(out)}",
            "facegate.licence": licence,
        },
    )


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "pad",
        help="fine-tune and export the liveness (presentation-attack) student",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    shared = Path(__file__).resolve().parents[3] / "shared"  # ../shared beside the repository
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
    pool = Path("/work/.mirror")
    p.add_argument("--celeba", default=str(shared / "data" / "train" / "celeba"), help="CelebA folder ('' to skip)")
    p.add_argument(
        "--fairface",
        default=f"{pool / 'sumanvithaeadala+EthnicityDetection' / 'repo'}:fair_face/val",
        help="GITDIR:FOLDER of a FairFace snapshot ('' to skip)",
    )
    p.add_argument(
        "--utkface",
        default=f"{pool / 'mattans+AgeProgression' / 'repo'}:data/UTKFace/unlabeled",
        help="GITDIR:FOLDER of a UTKFace snapshot ('' to skip)",
    )
    p.add_argument("--baseline", default=str(model_path("pad.onnx")), help="model compared in the report")
    p.add_argument("--step", type=int, default=8, help="every STEP-th NUAA frame")
    p.add_argument(
        "--specdiff",
        default="",
        help="git dir of an Akinori-F-Ebihara/SpecDiff_in_house_database_sample snapshot (fetch tool): real "
        "prints and screen replays, three more LOSO sources (academic research use only; '' to skip)",
    )
    p.add_argument("--specdiff-step", type=int, default=2, help="every STEP-th SpecDiff frame")
    p.add_argument("--photos", type=int, default=150, help="photos from each web-photo source")
    p.add_argument("--close-ups", type=int, default=120, help="webcam frames re-framed as close-ups")
    p.add_argument("--per-attack", type=int, default=180, help="synthetic attacks of each kind")
    p.add_argument("--jitters", type=int, default=3, help="crops per frame (the first as found)")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--hard-weight", type=float, default=1.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=train)
