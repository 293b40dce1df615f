"""`prepare`: detect and align a photo folder into a crop cache that teacher-embed and distill read.

Cache layout (one directory):
  crops.npy      N x 112 x 112 x 3 uint8 BGR, ArcFace-template aligned (np.load(mmap_mode="r"))
  landmarks.npy  N x 5 x 2 float32, the detected landmarks mapped into the 112 crop's frame
  labels.npy     N int64, identity index (subfolder), -1 for a flat folder of unlabelled photos
  manifest.json  source paths, identity names, options, counts
  no_face.txt    photos where no face was found

Landmarks are kept in the aligned frame rather than keeping the source photos: a model with
another template or input size is re-aligned from the 112 crop plus these points, which loses
only what falls outside the crop (the ArcFace crop already has margin around the face).
"""

from __future__ import annotations

import json
import multiprocessing as mp
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from core.vision.align import ARCFACE_TEMPLATE, align, alignment_matrix
from core.vision.imaging import image_files, load_image
from training.errors import TrainingError

CROP = (112, 112)

_detector = None


def list_images(src: Path) -> tuple[list[Path], list[int], list[str]]:
    """Photos with their labels: one identity per subfolder, or a flat folder labelled -1."""
    subdirs = sorted(p for p in src.iterdir() if p.is_dir())
    if subdirs:
        paths, labels = [], []
        for label, folder in enumerate(subdirs):
            for path in image_files(folder):
                paths.append(path)
                labels.append(label)
        return paths, labels, [d.name for d in subdirs]
    paths = image_files(src)
    return paths, [-1] * len(paths), []


def parallel_map(function, jobs, workers: int, initializer, initargs, chunksize: int = 1):
    """Ordered results of function over jobs in `workers` spawned processes, or in this process
    when workers is 1 (no start-up cost: tests and small folders)."""
    if workers == 1:
        initializer(*initargs)
        yield from map(function, jobs)
        return
    with mp.get_context("spawn").Pool(workers, initializer, initargs) as pool:
        yield from pool.imap(function, jobs, chunksize)


def _init_worker(min_face: int):
    global _detector
    from core.vision.detect import Detector  # imported in the worker: each process owns its sessions

    _detector = Detector(min_face=min_face, threads=1)


def _process(job: tuple[str, float]):
    path, pad = job
    try:
        image = load_image(path)
    except Exception as exc:  # one unreadable file must not stop a 20,000-photo run
        return path, None, None, f"unreadable: {exc}"
    if pad > 0:
        # Tight crops leave the detector no context around the face; replicated borders give it some.
        border = int(round(pad * max(image.shape[:2])))
        image = cv2.copyMakeBorder(image, border, border, border, border, cv2.BORDER_REPLICATE)
    # _init_worker made the detector before this process took any job.
    assert _detector is not None
    faces = _detector.detect(image)
    if not faces:
        return path, None, None, "no face"
    face = max(faces, key=lambda f: f.width * f.height)
    crop = align(image, face.landmarks, CROP, ARCFACE_TEMPLATE)
    matrix = alignment_matrix(face.landmarks, CROP, ARCFACE_TEMPLATE)
    points = face.landmarks.astype(np.float32) @ matrix[:, :2].T.astype(np.float32) + matrix[:, 2]
    return path, crop, points.astype(np.float32), None


def prepare(src: Path, out: Path, pad: float = 0.0, min_face: int = 32, workers: int = 0) -> dict:
    paths, labels, identities = list_images(src)
    if not paths:
        raise TrainingError(f"no images under {src}")
    return prepare_paths(paths, labels, identities, src, out, pad, min_face, workers)


def prepare_paths(
    paths: list[Path],
    labels: list[int],
    identities: list[str],
    src: Path,
    out: Path,
    pad: float = 0.0,
    min_face: int = 32,
    workers: int = 0,
) -> dict:
    """The cache of these photos (labels index `identities`, -1 unlabelled); `src` is the folder
    they are listed from, recorded in the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    n = len(paths)
    crops = np.lib.format.open_memmap(out / "crops.npy", "w+", np.uint8, (n,) + CROP[::-1] + (3,))
    landmarks = np.zeros((n, 5, 2), np.float32)
    kept = np.zeros(n, bool)
    missing: list[str] = []
    workers = workers or mp.cpu_count()
    jobs = [(str(p), pad) for p in paths]
    results = parallel_map(_process, jobs, workers, _init_worker, (min_face,), chunksize=16)
    for i, (path, crop, points, error) in enumerate(tqdm(results, total=n, desc="prepare")):
        if crop is None:
            missing.append(f"{path}\t{error}")
            continue
        crops[i], landmarks[i], kept[i] = crop, points, True
    # Rewrite compactly: rows without a face would otherwise sit as zeros in every later step.
    index = np.flatnonzero(kept)
    compact = np.lib.format.open_memmap(out / "crops.tmp.npy", "w+", np.uint8, (len(index),) + crops.shape[1:])
    for start in range(0, len(index), 4096):
        compact[start : start + 4096] = crops[index[start : start + 4096]]
    compact.flush()
    del crops, compact
    (out / "crops.tmp.npy").replace(out / "crops.npy")
    np.save(out / "landmarks.npy", landmarks[index])
    np.save(out / "labels.npy", np.asarray(labels, np.int64)[index])
    (out / "no_face.txt").write_text("".join(f"{m}\n" for m in missing))
    manifest = {
        "source": str(src),
        "crop_size": list(CROP),
        "template": ARCFACE_TEMPLATE.reshape(-1).tolist(),
        "channel_order": "BGR",
        "pad": pad,
        "min_face": min_face,
        "images": n,
        "faces": int(len(index)),
        "no_face": len(missing),
        "identities": identities,
        "paths": [str(paths[i]) for i in index],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def run(args):
    manifest = prepare(Path(args.src), Path(args.out), args.pad, args.min_face, args.workers)
    print(
        f"{manifest['faces']} faces from {manifest['images']} images, "
        f"{len(manifest['identities'])} identities; no face in {manifest['no_face']} "
        f"(listed in {Path(args.out) / 'no_face.txt'})"
    )


def register(subparsers):
    p = subparsers.add_parser("prepare", help="detect + align a photo folder into a crop cache")
    p.add_argument("--src", required=True, help="folder: one subfolder per identity, or flat photos")
    p.add_argument("--out", required=True, help="cache directory to write")
    p.add_argument("--pad", type=float, default=0.0, help="border added per side, fraction of the side")
    p.add_argument("--min-face", type=int, default=32, help="smallest face side in pixels")
    p.add_argument("--workers", type=int, default=0, help="processes (0: every core)")
    p.set_defaults(func=run)
