"""`teacher-embed`: the teacher's (or ensemble's) embeddings of every cached crop and its mirror.

Stored in the cache as <name>.npy and <name>_mirror.npy (N x D float32, L2-normalised) plus
<name>.json. Distillation reads its targets from here: running the 3-teacher ensemble on the fly
(~25 ms per face per view on this CPU, more than a student training step) would cost more than
training the student itself.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper
from tqdm import tqdm

from core.align import align
from core.embed import Embedder, l2_normalise

BATCH = 64


def flush_denormals(src: Path, dst: Path) -> int:
    """Copy an ONNX model with subnormal float32 weights set to zero; returns how many.

    mobilefacenet_ncnn.onnx carries ~270k subnormal weights, which make onnxruntime's CPU
    kernels several times slower; values below 1.2e-38 cannot change an embedding.
    """
    model = onnx.load(str(src))
    flushed = 0
    tiny = np.finfo(np.float32).tiny
    for init in model.graph.initializer:
        if init.data_type != onnx.TensorProto.FLOAT:
            continue
        weights = numpy_helper.to_array(init).copy()
        mask = (np.abs(weights) < tiny) & (weights != 0)
        if mask.any():
            weights[mask] = 0
            init.CopyFrom(numpy_helper.from_array(weights, init.name))
            flushed += int(mask.sum())
    onnx.save(model, str(dst))
    return flushed


def load_members(spec: str, workdir: Path, threads: int) -> list[Embedder]:
    """Each model of a comma-separated spec, reading its own input format from its metadata."""
    workdir.mkdir(parents=True, exist_ok=True)
    members = []
    for path in (Path(p) for p in spec.split(",") if p):
        clean = workdir / path.name
        if flush_denormals(path, clean) == 0:
            clean.unlink()
            clean = path
        members.append(Embedder(clean, threads=threads))
    return members


def member_crops(member: Embedder, crops: np.ndarray, landmarks: np.ndarray, crop_template: np.ndarray):
    """The cached 112 crops as this member wants them: as they are when its format matches,
    else re-aligned from the landmarks stored in the crop's frame."""
    fmt = member.format
    if fmt.size == crops.shape[2:0:-1] and np.allclose(np.reshape(fmt.template, -1), crop_template.reshape(-1), atol=1e-3):
        return crops
    return np.stack([align(c, lm, fmt.size, fmt.template) for c, lm in zip(crops, landmarks)])


def embed_views(members, crops, landmarks, crop_template) -> tuple[np.ndarray, np.ndarray]:
    """Ensemble embeddings of a batch and of its mirror images."""
    views = ([], [])
    for member in members:
        batch = member_crops(member, crops, landmarks, crop_template)
        views[0].append(member.embed_crops(batch))
        views[1].append(member.embed_crops(np.ascontiguousarray(batch[:, :, ::-1])))
    return tuple(l2_normalise(np.concatenate(v, axis=1)) for v in views)


def teacher_embed(cache: Path, spec: str, name: str = "teacher", threads: int = 2, limit: int = 0) -> dict:
    manifest = json.loads((cache / "manifest.json").read_text())
    crop_template = np.asarray(manifest["template"], np.float32).reshape(5, 2)
    crops = np.load(cache / "crops.npy", mmap_mode="r")
    landmarks = np.load(cache / "landmarks.npy")
    n = min(limit, len(crops)) if limit else len(crops)
    members = load_members(spec, cache / "teacher_models", threads)
    dim = sum(m.dim for m in members)
    out = np.lib.format.open_memmap(cache / f"{name}.npy.tmp", "w+", np.float32, (n, dim))
    out_mirror = np.lib.format.open_memmap(cache / f"{name}_mirror.npy.tmp", "w+", np.float32, (n, dim))
    start = time.perf_counter()
    for i in tqdm(range(0, n, BATCH), desc="teacher-embed", unit_scale=BATCH):
        j = min(i + BATCH, n)
        out[i:j], out_mirror[i:j] = embed_views(members, np.asarray(crops[i:j]), landmarks[i:j], crop_template)
    seconds = time.perf_counter() - start
    out.flush(), out_mirror.flush()
    del out, out_mirror
    (cache / f"{name}.npy.tmp").replace(cache / f"{name}.npy")
    (cache / f"{name}_mirror.npy.tmp").replace(cache / f"{name}_mirror.npy")
    info = {
        "teacher": spec,
        "members": [{"path": str(m.path), "dim": m.dim, **m.format.to_metadata()} for m in members],
        "dim": dim,
        "faces": n,
        "threads": threads,
        "ms_per_face_per_view": round(1000 * seconds / max(n, 1) / 2, 2),
    }
    (cache / f"{name}.json").write_text(json.dumps(info, indent=1))
    return info


def run(args):
    info = teacher_embed(Path(args.cache), args.teacher, args.name, args.threads, args.limit)
    print(f"{info['faces']} faces x 2 views, {info['dim']}-d, {info['ms_per_face_per_view']} ms/face/view")


def register(subparsers):
    p = subparsers.add_parser("teacher-embed", help="cache teacher embeddings of crops and mirrors")
    p.add_argument("--cache", required=True)
    p.add_argument("--teacher", required=True, help="A.onnx[,B.onnx,...]; several form an ensemble")
    p.add_argument("--name", default="teacher", help="file stem in the cache, to keep several teachers")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--limit", type=int, default=0, help="only the first N crops (smoke tests)")
    p.set_defaults(func=run)
