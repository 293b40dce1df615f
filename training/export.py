"""`python -m training export`: a distill checkpoint -> the ONNX student the app loads.

    python -m training export --checkpoint runs/NAME/best.pt --out assets/models/student.onnx
    python -m training evaluate --model assets/models/student.onnx --lfw ../shared/data/lfw/images --out reports/NAME
    python -m training export --checkpoint runs/NAME/best.pt --out assets/models/student.onnx \\
        --metrics reports/NAME/metrics.json --int8

The second export writes the same network (same facegate.model_id) with recommended thresholds
taken from the evaluation: attendance at the FAR <= 1e-2 threshold, unlock at FAR <= 1e-3. These are
per-frame rates; both modes also need K consecutive agreeing frames, which is what keeps a false
check-in or unlock per event far rarer than one frame's FAR.

The graph: opset 17, input `input` (N, 3, H, W) float, already (pixel - mean) / std in the
channel order the metadata states; output `embedding` (N, D), NOT L2-normalised. Core's Embedder
normalises after summing the mirror view when flip is on, as it does for every teacher; a raw
output keeps that sum weighted by each view's norm and keeps every ONNX embedder alike.

With a crop cache (--cache, the one distill trained from), each written file also gets its impostor
scores on the people that run held out (`facegate.impostor`, training/eval/impostor.py), from which the
app derives thresholds that follow the gallery size (core/matching/thresholds.py).

The format lives in the file's metadata (face.* keys, core.vision.embed.InputFormat), so core, evaluate
and bench load the student like any teacher. Checks: PyTorch vs onnxruntime on real aligned crops
(crops from the training cache, else from the sample photos in assets/samples); with
--int8 also fp32 vs int8 cosine agreement on crops the calibration did not see.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import torch

from core.paths import samples_dir
from core.vision.align import ARCFACE_TEMPLATE, align
from core.vision.detect import Detector
from core.vision.embed import Embedder, InputFormat, l2_normalise
from core.vision.imaging import load_image
from training.backbone import StudentNet
from training.config import TrainConfig
from training.data import student_format
from training.errors import TrainingError
from training.eval import impostor
from training.eval.bench import median_latency_ms
from training.onnx_meta import graph_digest, read_metadata, write_metadata
from training.teacher import flush_denormals

OPSET = 17
INPUT, OUTPUT = "input", "embedding"
# Cached crops used: half calibrate the int8 model, the other half check every export.
CALIBRATION_CROPS = 256
# A correct export agrees with PyTorch to float rounding; below this something is wrong.
MIN_PARITY_COSINE = 0.9999
SAMPLE_PHOTOS = ("t1.jpg", "Tom_Hanks_54745.png")
CALIBRATION_PERCENTILE = 99.99
FLOAT_OPS = {"Sigmoid", "Mul"}


# ---------------------------------------------------------------- model


def load_student(checkpoint: Path) -> tuple[StudentNet, InputFormat, dict]:
    """The network in eval mode, its crop format and the raw checkpoint."""
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    cfg = TrainConfig.from_dict(state["config"])
    model = StudentNet(cfg.backbone)
    model.load_state_dict(state["model"])
    model.eval()
    meta = state.get("input_format")
    fmt = InputFormat.from_metadata(meta) if meta else student_format(cfg.backbone.input_size)
    return model, fmt, state


def export_onnx(model: torch.nn.Module, fmt: InputFormat, path: Path) -> None:
    dummy = torch.zeros(1, 3, fmt.size[1], fmt.size[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # The TorchScript exporter is deprecated, but the dynamo one needs onnxscript, which the
        # training environment does not carry; this one gives the plain Conv/PRelu graph we want.
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            model,
            (dummy,),
            str(path),
            dynamo=False,
            opset_version=OPSET,
            input_names=[INPUT],
            output_names=[OUTPUT],
            dynamic_axes={INPUT: {0: "batch"}, OUTPUT: {0: "batch"}},
        )
    # Training leaves a few weights subnormal (49 in the shipped student); onnxruntime's CPU
    # kernels take a slow path on them: 7.7 ms a face before flushing, 2.1 ms after.
    flush_denormals(path, path)


# ---------------------------------------------------------------- real crops


def network_input(crops: np.ndarray, fmt: InputFormat) -> np.ndarray:
    """BGR uint8 crops -> the graph's input; the same arithmetic as core's Embedder.embed_crops."""
    batch = crops[..., ::-1] if fmt.channel_order == "RGB" else crops
    x = (batch.astype(np.float32) - fmt.mean) / fmt.std
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))


def cached_crops(cache: Path, count: int, fmt: InputFormat) -> np.ndarray:
    """`count` crops spread over prepare's cache (112 ArcFace-aligned), moved into `fmt`."""
    crops = np.load(cache / "crops.npy", mmap_mode="r")
    picks = np.linspace(0, len(crops) - 1, min(count, len(crops))).astype(int)
    # The cached crop's own template points map exactly onto the model's template.
    return np.stack([align(np.asarray(crops[i]), ARCFACE_TEMPLATE, fmt.size, fmt.template) for i in picks])


def sample_photo_crops(fmt: InputFormat) -> np.ndarray:
    """The seven faces (and their mirrors) in the two shipped sample photos: always present."""
    detector = Detector(min_face=60)  # every face in these photos is 80+ pixels
    found: list[np.ndarray] = []
    for name in SAMPLE_PHOTOS:
        image = load_image(samples_dir() / name)
        found += [align(image, face.landmarks, fmt.size, fmt.template) for face in detector.detect(image)]
    crops = np.stack(found)
    return np.concatenate([crops, crops[:, :, ::-1]])


def real_crops(cache: Path | None, fmt: InputFormat) -> tuple[np.ndarray, np.ndarray, str]:
    """(calibration crops, check crops, where they came from); the two sets never overlap."""
    if cache and (cache / "crops.npy").is_file():
        crops = cached_crops(cache, 2 * CALIBRATION_CROPS, fmt)
        return crops[0::2], crops[1::2], f"{len(crops)} crops from {cache}"
    crops = sample_photo_crops(fmt)
    return crops[0::2], crops[1::2], f"{len(crops)} faces from the sample photos (no crop cache)"


# ---------------------------------------------------------------- checks


def parity(model: torch.nn.Module, path: Path, crops: np.ndarray, fmt: InputFormat) -> dict:
    """PyTorch vs onnxruntime on the same input, raw and through core's Embedder."""
    x = network_input(crops, fmt)
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    raw = session.run(None, {INPUT: x})[0]
    via_core = Embedder(path).embed_crops(crops)
    return {
        "crops": len(crops),
        "max_abs_diff": float(np.abs(raw - expected).max()),
        "max_abs_output": float(np.abs(expected).max()),
        "min_cosine_core": float(np.min(np.sum(via_core * l2_normalise(expected), axis=1))),
    }


def agreement(fp32: Path, int8: Path, crops: np.ndarray) -> dict:
    """How closely the int8 model's normalised embeddings follow the fp32 model's."""
    cos = np.sum(Embedder(fp32).embed_crops(crops) * Embedder(int8).embed_crops(crops), axis=1)
    return {
        "crops": len(crops),
        "mean_cosine": float(cos.mean()),
        "min_cosine": float(cos.min()),
        "p01_cosine": float(np.percentile(cos, 1)),
    }


# ---------------------------------------------------------------- int8


class _Calibration:
    """onnxruntime's CalibrationDataReader protocol over real crops, a batch at a time: the
    percentile calibrator sizes its histogram on the first batch, which one crop may not span."""

    def __init__(self, x: np.ndarray, input_name: str, batch: int = 64):
        self._feeds = iter([{input_name: x[i : i + batch]} for i in range(0, len(x), batch)])

    def get_next(self):
        return next(self._feeds, None)


def quantize_int8(fp32: Path, int8: Path, calibration: np.ndarray, fmt: InputFormat) -> str:
    """Static QDQ int8: per-channel int8 weights, uint8 activations with ranges from real crops.

    Measured on the SE student (cosine of fp32 vs int8 embeddings on 256 unseen CelebA crops):
    int8 weights alone keep 0.999, so the activation ranges decide. After two epochs, MinMax
    ranges gave 0.979 mean (1st percentile 0.961) and the 99.99th percentile of each activation
    0.992 (0.980); after three, percentile with the SE gates in float 0.995 (0.985). Dynamic
    quantisation ran 2.7x slower than fp32 on mobileface_v2 (ranges computed per call,
    ConvInteger kernels). On the 2-core dev CPU the static int8 student is barely faster than
    fp32 (2.63 vs 2.75 ms a face for the shipped one), but 3.1x smaller. Returns a description
    for the metadata.
    """
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    with tempfile.TemporaryDirectory() as tmp:
        prepared = Path(tmp) / "prepared.onnx"
        quant_pre_process(str(fp32), str(prepared))
        # Op types of the prepared graph, not the exported one: pre-processing fuses the head's
        # MatMul + BatchNormalization into a Gemm, which would otherwise stay float (half the
        # weights). The SE gates (Sigmoid, then Mul) stay float: a gate that barely moves over
        # the calibration crops (fresh or saturated) breaks the percentile calibrator's
        # histogram, and they are a tiny share of the compute.
        graph = onnx.load(str(prepared)).graph
        op_types = sorted({node.op_type for node in graph.node} - FLOAT_OPS)
        quantize_static(
            str(prepared),
            str(int8),
            _Calibration(network_input(calibration, fmt), graph.input[0].name),
            op_types_to_quantize=op_types,
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            calibrate_method=CalibrationMethod.Percentile,
            extra_options={"CalibPercentile": CALIBRATION_PERCENTILE},
        )
    flush_denormals(int8, int8)  # the float SE gates, as in export_onnx
    return (
        f"static QDQ: int8 per-channel weights, uint8 activations clipped at the "
        f"{CALIBRATION_PERCENTILE}th percentile over {len(calibration)} real crops; "
        f"{', '.join(sorted(FLOAT_OPS))} in float"
    )


# ---------------------------------------------------------------- metadata


def thresholds_from(metrics_file: Path) -> tuple[dict[str, str], str]:
    """Recommended thresholds from an evaluate metrics.json, and the model id it measured."""
    report = json.loads(metrics_file.read_text())
    m = report["metrics"]
    at = m["tar_at_far"]
    source = (
        f"{report['pairs']['name']} ({m['pairs']} pairs), flip {'on' if report['flip'] else 'off'}, "
        f"ROC thresholds at FAR <= 1e-2 (attendance) and <= 1e-3 (unlock), per frame, {metrics_file}"
    )
    entries = {
        "facegate.threshold.attendance": f"{at['0.01']['threshold']:.4f}",
        "facegate.threshold.unlock": f"{at['0.001']['threshold']:.4f}",
        "facegate.threshold.source": source,
        "facegate.metrics": json.dumps(
            {
                "benchmark": report["pairs"]["name"],
                "accuracy": round(m["accuracy_mean"], 5),
                "accuracy_std": round(m["accuracy_std"], 5),
                "tar@far1e-3": round(at["0.001"]["tar"], 5),
                "tar@far1e-4": round(at["0.0001"]["tar"], 5),
                "auc": round(m["auc"], 6),
                "best_threshold": round(m["best_threshold"], 4),
                "flip": report["flip"],
                "detector": report["detector"]["name"],
            }
        ),
    }
    return entries, report["model"]["id"]


def provenance(state: dict, checkpoint: Path, cache: Path | None, teacher_name: str) -> dict[str, str]:
    """What the student learned from, as far as the checkpoint and its crop cache tell."""
    cfg = state["config"]
    best = max(state.get("history") or [{}], key=lambda r: r.get("val_tar", -1.0))
    entries = {
        "facegate.checkpoint": f"{checkpoint} (epoch {state.get('epoch')})",
        "facegate.architecture": json.dumps(
            {
                "net": "MobileFace+SE" if cfg["backbone"]["se"] else "MobileFace",
                **cfg["backbone"],
                "init_from": cfg.get("init_from", ""),
            }
        ),
        "facegate.validation": json.dumps({k: v for k, v in best.items() if k.startswith("val_") or k == "epoch"}),
    }
    manifest = cache / "manifest.json" if cache else None
    if manifest and manifest.is_file():
        info = json.loads(manifest.read_text())
        # A pool (training/pool.py) lists its sources; a prepare cache has one folder.
        source = (
            "pool of " + ", ".join(f"{s['name']} {s['kept']}" for s in info["sources"])
            if "sources" in info
            else info["source"]
        )
        entries["facegate.training_data"] = f"{source}: {info['faces']} faces, {len(info['identities'])} identities"
    teacher = cache / f"{teacher_name}.json" if cache else None
    if teacher and teacher.is_file():
        entries["facegate.teacher"] = json.loads(teacher.read_text())["teacher"]
    return entries


# ---------------------------------------------------------------- command


def export(args) -> dict:
    """Builds and checks the model(s) in a scratch folder beside --out and moves them over the
    old files only once every check has passed: a refused export leaves the shipped model as it was."""
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".export-") as scratch:
        report = build(args, Path(scratch) / out.name)
        for made in sorted(Path(scratch).iterdir()):
            os.replace(made, out.with_name(made.name))
    report["model"] = str(out)
    if "int8" in report:
        report["int8"]["model"] = str(out.with_name(Path(report["int8"]["model"]).name))
    return report


def build(args, out: Path) -> dict:
    checkpoint = Path(args.checkpoint)
    cache = Path(args.cache) if args.cache else None
    model, fmt, state = load_student(checkpoint)
    export_onnx(model, fmt, out)
    run_name = checkpoint.parent.name
    model_id = f"{run_name if run_name.startswith('student') else 'student-' + run_name}-{graph_digest(out)}"
    calibration, check, crops_source = real_crops(cache, fmt)
    entries = {
        **fmt.to_metadata(),
        "face.embedding_size": str(model.cfg.emb_size),
        "facegate.model_id": model_id,
        "facegate.model_version": args.version or time.strftime("%Y.%m.%d"),
        "facegate.output": "unnormalised embedding; L2-normalise before comparing (core does)",
        # The weights inherit the terms of what made them: CelebA and the shared teachers.
        "facegate.licence": "non-commercial research use only (trained on CelebA, distilled from "
        "non-commercial teachers); see assets/models/README.md",
        **provenance(state, checkpoint, cache, args.teacher_name),
    }
    if args.metrics:
        measured, measured_id = thresholds_from(Path(args.metrics))
        if measured_id != model_id:
            raise TrainingError(
                f"export: {args.metrics} measured model {measured_id}, not {model_id}; evaluate this export first"
            )
        entries.update(measured)
    write_metadata(out, entries)
    report: dict[str, Any] = {
        "model": str(out),
        "model_id": model_id,
        "crops": crops_source,
        "parity": parity(model, out, check, fmt),
    }
    if report["parity"]["min_cosine_core"] < MIN_PARITY_COSINE:
        raise TrainingError(f"export: ONNX output disagrees with PyTorch: {report['parity']}")
    if args.int8:
        report["int8"] = export_int8(out, calibration, check, fmt)
    report["impostor"] = add_impostor_tails(
        [Path(report["int8"]["model"])] if args.int8 else [],
        out,
        cache,
        TrainConfig.from_dict(state["config"]),
        args.teacher_name,
    )
    return report


def add_impostor_tails(int8: list[Path], fp32: Path, cache: Path | None, cfg: TrainConfig, teacher_name: str) -> str:
    """Each file's own impostor scores on the run's held-out people (training/eval/impostor.py), or why none."""
    if not (cache and (cache / "labels.npy").is_file()):
        return "no impostor scores: no crop cache to find the held-out people in"
    try:
        held = impostor.held_out(cache, cfg, teacher_name)
        tails = [(model, impostor.measure(model, cache, held)[0]) for model in [fp32, *int8]]
    except ValueError as exc:
        return f"no impostor scores: {exc}"
    for model, tail in tails:
        impostor.write_tail(model, tail)
    return "; ".join(f"{model.name}: {tail.source}, tail over {tail.tail_u:.4f}" for model, tail in tails)


def export_int8(fp32: Path, calibration: np.ndarray, check: np.ndarray, fmt: InputFormat) -> dict:
    int8 = fp32.with_name(f"{fp32.stem}_int8{fp32.suffix}")
    method = quantize_int8(fp32, int8, calibration, fmt)
    meta = read_metadata(fp32)
    write_metadata(
        int8, {**meta, "facegate.model_id": meta["facegate.model_id"] + "-int8", "facegate.quantization": method}
    )
    return {
        "model": str(int8),
        "method": method,
        "agreement": agreement(fp32, int8, check),
        "ms_fp32": median_latency_ms(fp32, threads=1),
        "ms_int8": median_latency_ms(int8, threads=1),
        "mb_fp32": fp32.stat().st_size / 1e6,
        "mb_int8": int8.stat().st_size / 1e6,
    }


def run(args) -> int:
    report = export(args)
    p = report["parity"]
    print(f"wrote {report['model']} ({report['model_id']}); checked on {report['crops']}")
    print(
        f"parity vs PyTorch on {p['crops']} crops: max abs diff {p['max_abs_diff']:.2e} "
        f"(outputs up to {p['max_abs_output']:.3g}), min cosine via core {p['min_cosine_core']:.7f}"
    )
    print(f"impostor metadata: {report['impostor']}")
    if "int8" in report:
        q = report["int8"]
        a = q["agreement"]
        print(f"wrote {q['model']}: {q['method']}")
        print(
            f"int8 vs fp32 on {a['crops']} unseen crops: cosine mean {a['mean_cosine']:.5f}, "
            f"1st percentile {a['p01_cosine']:.5f}, min {a['min_cosine']:.5f}; "
            f"{q['ms_fp32']:.2f} -> {q['ms_int8']:.2f} ms per face (1 thread), "
            f"{q['mb_fp32']:.2f} -> {q['mb_int8']:.2f} MB"
        )
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "export",
        help="checkpoint -> ONNX student with metadata (and int8)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--checkpoint", required=True, help="runs/NAME/best.pt")
    p.add_argument("--out", required=True, help="assets/models/student.onnx")
    p.add_argument("--int8", action="store_true", help="also write OUT's stem + _int8.onnx (static QDQ)")
    p.add_argument("--metrics", help="evaluate's metrics.json for this model: recommended thresholds")
    p.add_argument(
        "--cache",
        default="cache/celeba",
        help="prepare's crop cache: real crops for the checks and int8 calibration, and "
        "the training-data and teacher notes (default cache/celeba)",
    )
    p.add_argument("--teacher-name", default="teacher", help="the cached teacher distill used")
    p.add_argument("--version", help="facegate.model_version (default: today's date)")
    p.set_defaults(func=run)
