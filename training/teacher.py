"""`teacher-embed`: the teacher's (or ensemble's) embeddings of every cached crop and its mirror.

Stored in the cache as <name>.npy and <name>_mirror.npy (M x D float32, L2-normalised),
<name>_rows.npy (the M cache rows they belong to: all, or a per-identity subset when time is
short) and <name>.json. Work is saved as it goes in <name>_parts/ (one file per 2,048 faces,
keyed by each crop's bytes), so the same command run again after a kill, or on a grown pool,
embeds only the faces it has not embedded before. Distillation reads its targets from here: running the 3-teacher
ensemble on the fly (~25 ms per face per view on an idle core, 60-230 ms measured on the shared
dev machine) would cost more than training the student itself.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper
from tqdm import tqdm

from core.vision.align import align
from core.vision.embed import Embedder, l2_normalise
from training.errors import TrainingError
from training.prepare import parallel_map

BATCH = 64
PART = 32 * BATCH  # rows per saved part: a kill loses at most this much work


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
    same_template = np.allclose(np.reshape(fmt.template, -1), crop_template.reshape(-1), atol=1e-3)
    if fmt.size == crops.shape[2:0:-1] and same_template:
        return crops
    return np.stack([align(c, lm, fmt.size, fmt.template) for c, lm in zip(crops, landmarks)])


def embed_views(members, crops, landmarks, crop_template) -> tuple[np.ndarray, np.ndarray]:
    """Ensemble embeddings of a batch and of its mirror images."""
    originals: list[np.ndarray] = []
    mirrors: list[np.ndarray] = []
    for member in members:
        batch = member_crops(member, crops, landmarks, crop_template)
        originals.append(member.embed_crops(batch))
        mirrors.append(member.embed_crops(np.ascontiguousarray(batch[:, :, ::-1])))
    return l2_normalise(np.concatenate(originals, axis=1)), l2_normalise(np.concatenate(mirrors, axis=1))


_members: list[Embedder] = []


def _init_worker(spec: str, workdir: Path, threads: int):
    global _members
    _members = load_members(spec, workdir, threads)


def crop_key(crop: np.ndarray) -> bytes:
    """A target's key: the crop's exact bytes, digested. Re-detecting the same photo gives the
    same crop, so a rebuilt or grown pool finds the targets it already has."""
    return hashlib.blake2b(np.ascontiguousarray(crop).tobytes(), digest_size=16).digest()


def _embed_part(job) -> int:
    cache, rows, crop_template, path = job
    crops = np.load(cache / "crops.npy", mmap_mode="r")
    landmarks = np.load(cache / "landmarks.npy", mmap_mode="r")
    views, keys = [], []
    for r in np.array_split(rows, range(BATCH, len(rows), BATCH)):
        batch = np.asarray(crops[r])
        views.append(embed_views(_members, batch, np.asarray(landmarks[r]), crop_template))
        keys += [crop_key(c) for c in batch]
    tmp = path.with_suffix(".tmp.npz")
    np.savez(
        tmp,
        keys=np.frombuffer(b"".join(keys), np.uint8).reshape(len(keys), -1),
        original=np.concatenate([v[0] for v in views]),
        mirror=np.concatenate([v[1] for v in views]),
    )
    tmp.replace(path)  # a part is there whole or not at all
    return len(rows)


class Targets:
    """The saved parts of one teacher's targets, found by crop key.

    Parts are kept per crop, not per row: when the pool is rebuilt with more photos, its rows
    move but every face embedded before is still found, and only new faces are embedded."""

    def __init__(self, parts: Path, spec: str):
        parts.mkdir(parents=True, exist_ok=True)
        plan_file = parts / "plan.json"
        if plan_file.exists() and json.loads(plan_file.read_text())["teacher"] != spec:
            raise TrainingError(f"{parts} holds targets of another teacher; delete it or pass another --name")
        plan_file.write_text(json.dumps({"teacher": spec}))
        self.parts = parts
        self.scan()

    def scan(self) -> None:
        """Index the part files there now: part file and row of each crop key."""
        self.files = sorted(self.parts.glob("[0-9]*[0-9].npz"))
        self.where: dict[bytes, tuple[int, int]] = {}
        for f, path in enumerate(self.files):
            for i, key in enumerate(np.load(path)["keys"]):
                self.where[key.tobytes()] = (f, i)

    def new_paths(self, count: int) -> list[Path]:
        first = int(self.files[-1].stem) + 1 if self.files else 0
        return [self.parts / f"{first + k:08d}.npz" for k in range(count)]

    def gather(self, keys: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """Both views' targets of these crops, in order (every key must have been embedded)."""
        self.scan()
        spots = np.asarray([self.where[k] for k in keys], np.int64).reshape(-1, 2)

        def view(name: str) -> np.ndarray:
            # Read each part's array once (an npz reads the whole array on every access).
            arrays = [np.load(path)[name] for path in self.files]
            offsets = np.cumsum([0] + [len(a) for a in arrays])
            return np.concatenate(arrays)[offsets[spots[:, 0]] + spots[:, 1]]

        return view("original"), view("mirror")


def cache_keys(cache: Path, rows: np.ndarray) -> list[bytes]:
    crops = np.load(cache / "crops.npy", mmap_mode="r")
    return [crop_key(c) for start in range(0, len(rows), PART) for c in np.asarray(crops[rows[start : start + PART]])]


def select_rows(labels: np.ndarray, per_identity: int) -> np.ndarray:
    """Cache rows to embed: all, or the first `per_identity` of each identity (unlabelled: all)."""
    if not per_identity:
        return np.arange(len(labels))
    rank = np.zeros(len(labels), np.int64)
    for label in np.unique(labels[labels >= 0]):
        where = np.flatnonzero(labels == label)
        rank[where] = np.arange(len(where))
    return np.flatnonzero((labels < 0) | (rank < per_identity))


def teacher_embed(
    cache: Path, spec: str, name: str = "teacher", threads: int = 1, workers: int = 0, per_identity: int = 0
) -> dict:
    """Embeds in `workers` processes of `threads` onnxruntime threads each: one-thread processes
    on separate batches keep working when other jobs share the cores, where a multi-threaded
    session waits on its slowest thread."""
    manifest = json.loads((cache / "manifest.json").read_text())
    crop_template = np.asarray(manifest["template"], np.float32).reshape(5, 2)
    rows = select_rows(np.load(cache / "labels.npy"), per_identity)
    workers = workers or mp.cpu_count()
    targets = Targets(cache / f"{name}_parts", spec)
    keys = cache_keys(cache, rows)
    todo = np.asarray([row for row, key in zip(rows, keys) if key not in targets.where], np.int64)
    chunks = [todo[start : start + PART] for start in range(0, len(todo), PART)]
    jobs = [(cache, chunk, crop_template, path) for chunk, path in zip(chunks, targets.new_paths(len(chunks)))]
    start = time.perf_counter()
    results = parallel_map(_embed_part, jobs, workers, _init_worker, (spec, cache / "teacher_models", threads))
    embedded = sum(tqdm(results, total=len(jobs), desc=f"teacher-embed ({len(rows) - len(todo)} faces done before)"))
    seconds = time.perf_counter() - start
    out, out_mirror = targets.gather(keys)
    np.save(cache / f"{name}.npy", out)
    np.save(cache / f"{name}_mirror.npy", out_mirror)
    np.save(cache / f"{name}_rows.npy", rows)
    info = {
        "teacher": spec,
        "dim": int(out.shape[1]),
        "faces": int(len(rows)),
        "embedded": int(embedded),
        "per_identity": per_identity,
        "workers": workers,
        "threads": threads,
        # Of this invocation's work; none when every part was already there.
        "ms_per_face_per_view": round(1000 * seconds * workers / embedded / 2, 2) if embedded else None,
    }
    (cache / f"{name}.json").write_text(json.dumps(info, indent=1))
    return info


def run(args):
    info = teacher_embed(Path(args.cache), args.teacher, args.name, args.threads, args.workers, args.per_identity)
    speed = info["ms_per_face_per_view"]
    print(
        f"{info['faces']} faces x 2 views, {info['dim']}-d"
        + (f", {speed} ms per face and view per worker" if speed else ", all parts were done before")
    )


def register(subparsers):
    p = subparsers.add_parser("teacher-embed", help="cache teacher embeddings of crops and mirrors")
    p.add_argument("--cache", required=True)
    p.add_argument("--teacher", required=True, help="A.onnx[,B.onnx,...]; several form an ensemble")
    p.add_argument("--name", default="teacher", help="file stem in the cache, to keep several teachers")
    p.add_argument("--workers", type=int, default=0, help="processes (0: every core)")
    p.add_argument("--threads", type=int, default=1, help="onnxruntime threads per process")
    p.add_argument("--per-identity", type=int, default=0, help="embed at most N photos per identity (0: all)")
    p.set_defaults(func=run)
