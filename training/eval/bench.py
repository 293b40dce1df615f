"""`python -m training bench`: per-face embedding latency of a model against others.

    python -m training bench --model assets/models/student.onnx \\
        --against ../shared/models/teachers/insightface_mobilefacenet.onnx,../shared/models/teachers/mobilefacenet_ncnn.onnx,../shared/models/teachers/mobileface_v2.onnx

One face (batch 1) through core's Embedder.embed_crops, so the time includes the preprocessing the
app pays; no flip. `--against` is an ensemble whose time is the sum of its members'. Every model is
loaded with subnormal weights flushed (as evaluate does), so a teacher's denormals do not inflate
the speedup. Runs interleave the models round by round, so a busy CPU slows all of them alike;
the median over runs is reported at 1 and 2 onnxruntime threads. Last line: `speedup=N.N`, the
--against time over the --model time at one thread.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from statistics import median

import numpy as np
import onnx

from training.eval.evaluate import load_members_flushed

THREADS = (1, 2)
WARMUP = 5


def onnx_params(path: Path) -> int:
    """Weights stored in the file: initializers and constant tensors."""
    model = onnx.load(str(path))
    tensors = list(model.graph.initializer)
    tensors += [
        a.t for node in model.graph.node if node.op_type == "Constant" for a in node.attribute if a.name == "value"
    ]
    return int(sum(np.prod(t.dims, dtype=np.int64) for t in tensors))


def _face_crop(embedder) -> np.ndarray:
    width, height = embedder.format.size
    return np.random.default_rng(0).integers(0, 256, (1, height, width, 3), dtype=np.uint8)


def interleaved_ms(embedders: list, runs: int) -> list[float]:
    """Median ms per face of each embedder, timed one call each per round."""
    crops = [_face_crop(e) for e in embedders]
    for embedder, crop in zip(embedders, crops):
        for _ in range(WARMUP):
            embedder.embed_crops(crop)
    samples: list[list[float]] = [[] for _ in embedders]
    for _ in range(runs):
        for embedder, crop, times in zip(embedders, crops, samples):
            start = time.perf_counter()
            embedder.embed_crops(crop)
            times.append(time.perf_counter() - start)
    return [1000 * median(times) for times in samples]


def median_latency_ms(path: Path, threads: int = 1, runs: int = 100) -> float:
    return interleaved_ms(load_members_flushed(str(path), threads), runs)[0]


def bench(model: str, against: str, runs: int) -> dict:
    paths = [Path(model)] + [Path(p) for p in against.split(",") if p]
    times = {}
    for threads in THREADS:
        times[threads] = interleaved_ms(load_members_flushed(",".join(map(str, paths)), threads), runs)
    return {
        "models": [
            {
                "path": str(p),
                "params": onnx_params(p),
                "bytes": p.stat().st_size,
                "ms": {t: times[t][i] for t in THREADS},
            }
            for i, p in enumerate(paths)
        ],
        "runs": runs,
    }


def _row(name: str, params: int, size: int, ms: dict) -> str:
    cells = "".join(f"{ms[t]:>10.2f}" for t in THREADS)
    return f"{name:<34}{params / 1e6:>8.2f} M{size / 1e6:>9.2f} MB{cells}"


def run(args) -> int:
    result = bench(args.model, args.against, args.runs)
    student, *others = result["models"]
    total = {t: sum(m["ms"][t] for m in others) for t in THREADS}
    header = "".join(f"{f'{t} thr ms':>10}" for t in THREADS)
    print(f"per face, batch 1, median of {result['runs']} interleaved runs")
    print(f"{'model':<34}{'params':>10}{'file':>12}{header}")
    print(_row(Path(student["path"]).name, student["params"], student["bytes"], student["ms"]))
    label = Path(others[0]["path"]).name if len(others) == 1 else f"against: {len(others)} summed"
    print(_row(label, sum(m["params"] for m in others), sum(m["bytes"] for m in others), total))
    if len(others) > 1:
        for m in others:
            print(_row(f"  {Path(m['path']).name}", m["params"], m["bytes"], m["ms"]))
    print(f"speedup={total[1] / student['ms'][1]:.1f}")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "bench",
        help="per-face latency, params and size of a model vs others",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--model", required=True, help="the model to time, e.g. the student")
    p.add_argument("--against", required=True, help="B.onnx[,C.onnx...]: times summed over members")
    p.add_argument("--runs", type=int, default=100, help="timed runs per model and thread count")
    p.set_defaults(func=run)
