"""`pool`: many photo folders -> one crop cache in prepare's format, for teacher-embed and distill.

    python -m training pool --out cache/pool --lfw ../shared/data/lfw/images \\
        --source celeba=../shared/data/train/celeba --source fairface=/data/fair_face ...

Each source's options (layout, border, smallest face, where it came from, licence) are in a
config file (training/configs/pool/sources.json); its folder is given on the command line, since
snapshots live outside the repository. Steps:
  1. list the photos; in named sources drop every person whose name is an LFW identity (LFW
     stays an evaluation set only), so no photo of them is ever detected;
  2. `prepare` each source into OUT/parts/NAME (re-detect with the source's border, align to
     the 112 ArcFace crop); a finished part is kept, so a killed build resumes at the next source;
  3. merge the parts into OUT: drop repeated photos (the same aligned crop, by a perceptual hash,
     within and across sources), give one label to one person across named sources, and add
     sources.npy (each row's source index) so distill can hold out people of one source only.
The merged cache has prepare's files plus sources.npy; its manifest lists each source's counts.

`pool-screen`, after teacher-embed of the pool and of an LFW cache, drops the rows of unnamed
sources (FairFace, UTKFace: no names to compare) whose teacher embedding matches any LFW photo
above the score that only `far` of different-people pairs of the reference source (CelebA, built
without LFW people) reach. The reference source itself is only counted: its matches estimate how
many of the drops are strangers who merely look alike.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np

from core.vision.imaging import image_files
from training.data import Cache
from training.errors import TrainingError
from training.prepare import CROP, prepare_paths

DEFAULT_CONFIG = Path(__file__).parent / "configs" / "pool" / "sources.json"
CHUNK = 4096


@dataclass
class Source:
    name: str
    folder: Path
    layout: str  # "people" or "flat"
    named: bool = False
    strip_prefix: str = ""
    pad: float = 0.0
    min_face: int = 32
    # Caps for a pool that a CPU session can teacher-embed and train on; 0: every photo.
    # max_photos: a seeded sample of the listed photos (a larger cap keeps the smaller one's
    # photos); per_person: a person's first N faces, applied when merging (every person stays,
    # so distill holds out the same people).
    max_photos: int = 0
    per_person: int = 0
    repo: str = ""
    commit: str = ""
    path: str = ""
    licence: str = ""


def name_key(name: str) -> str:
    """A person's name as LFW spells its folders, lower-cased: "Tom Hanks" -> "tom_hanks"."""
    return re.sub(r"[\s_]+", "_", name.strip()).lower()


def lfw_names(lfw: Path | None) -> set[str]:
    return {name_key(p.name) for p in lfw.iterdir() if p.is_dir()} if lfw else set()


def sample(paths: list[Path], labels: list[int], count: int) -> tuple[list[Path], list[int]]:
    """At most `count` of the photos, a seeded random choice kept in listing order: the first
    `count` of one fixed permutation, so a larger cap keeps every photo a smaller one chose."""
    if not count or len(paths) <= count:
        return paths, labels
    chosen = np.sort(np.random.default_rng(0).permutation(len(paths))[:count])
    return [paths[i] for i in chosen], [labels[i] for i in chosen]


def list_source(source: Source, excluded: set[str]) -> tuple[list[Path], list[int], list[str], list[str]]:
    """Photos, labels, identity names and the dropped LFW people of one source folder."""
    if source.layout == "flat":
        photos = image_files(source.folder, recursive=True)
        return *sample(photos, [-1] * len(photos), source.max_photos), [], []
    if source.layout != "people":
        raise TrainingError(f"source {source.name}: layout must be people or flat, not {source.layout!r}")
    paths: list[Path] = []
    labels: list[int] = []
    identities: list[str] = []
    dropped: list[str] = []
    for folder in sorted(p for p in source.folder.iterdir() if p.is_dir()):
        person = folder.name.removeprefix(source.strip_prefix).strip()
        if source.named and name_key(person) in excluded:
            dropped.append(person)
            continue
        files = image_files(folder)
        if files:
            paths += files
            labels += [len(identities)] * len(files)
            identities.append(person)
    return *sample(paths, labels, source.max_photos), identities, dropped


def load_sources(config: Path, folders: dict[str, Path]) -> list[Source]:
    """The command line's sources, in its order, with their options from the config."""
    options = json.loads(config.read_text())["sources"]
    sources = []
    for name, folder in folders.items():
        if name not in options:
            raise TrainingError(f"source {name!r} is not in {config} (known: {', '.join(options)})")
        if not folder.is_dir():
            raise TrainingError(f"source {name}: {folder} is not a folder")
        sources.append(Source(name=name, folder=folder, **options[name]))
    return sources


def crop_hash(crop: np.ndarray) -> bytes:
    """A 256-bit difference hash of the aligned crop: the same photo re-encoded, resized or
    copied into two datasets aligns to nearly the same crop and gets the same hash."""
    gray = cv2.resize(cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY), (17, 16), interpolation=cv2.INTER_AREA)
    return np.packbits(gray[:, 1:] > gray[:, :-1]).tobytes()


def build_part(source: Source, out: Path, excluded: set[str], workers: int) -> dict:
    """OUT/parts/NAME as a prepare cache, or the finished one already there."""
    part = out / "parts" / source.name
    if (part / "manifest.json").exists():
        manifest = json.loads((part / "manifest.json").read_text())
        if manifest.get("max_photos", 0) == source.max_photos:
            return manifest
    # A rebuild (another cap) drops the old marker first: a kill midway must not leave the old
    # manifest describing half-rewritten crops.
    (part / "manifest.json").unlink(missing_ok=True)
    paths, labels, identities, dropped = list_source(source, excluded)
    if not paths:
        raise TrainingError(f"source {source.name}: no images under {source.folder}")
    manifest = prepare_paths(paths, labels, identities, source.folder, part, source.pad, source.min_face, workers)
    manifest["lfw_dropped"] = dropped
    manifest["max_photos"] = source.max_photos
    # Written last: its presence marks the part finished.
    (part / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def merge(sources: list[Source], out: Path) -> dict:
    """One cache of every part: repeated crops dropped, labels global, sources.npy per row."""
    parts = [out / "parts" / s.name for s in sources]
    identities: list[str] = []
    index: dict[str, int] = {}
    keep, labels, source_ids, paths, counts = [], [], [], [], []
    seen: set[bytes] = set()
    for s_id, (source, part) in enumerate(zip(sources, parts)):
        manifest = json.loads((part / "manifest.json").read_text())
        crops = np.load(part / "crops.npy", mmap_mode="r")
        part_labels = np.load(part / "labels.npy")
        # Named people share a label across sources (Pins and the Glint sample both hold the
        # same celebrities); unnamed folders (CelebA's numbers) are their source's own.
        remap_ids: list[int] = []
        for person in manifest["identities"]:
            key = name_key(person) if source.named else f"{source.name}/{person}"
            if key not in index:
                index[key] = len(identities)
                identities.append(key)
            remap_ids.append(index[key])
        remap = np.asarray(remap_ids + [-1], np.int64)  # label -1 stays -1
        # Faces kept per person; the last slot counts unlabelled faces (label -1), never capped.
        kept: list[int] = []
        per_person, repeated = np.zeros(len(remap), np.int64), 0
        for start in range(0, len(crops), CHUNK):
            for i, crop in enumerate(np.asarray(crops[start : start + CHUNK]), start):
                label = part_labels[i]
                if source.per_person and label >= 0 and per_person[label] >= source.per_person:
                    continue
                h = crop_hash(crop)
                if h in seen:
                    repeated += 1
                    continue
                seen.add(h)
                kept.append(i)
                per_person[label] += 1
        rows = np.asarray(kept, np.int64)
        keep.append((part, rows))
        labels.append(remap[part_labels[rows]])
        source_ids.append(np.full(len(rows), s_id, np.int16))
        paths += [manifest["paths"][i] for i in rows]
        counts.append(
            {
                **{k: v for k, v in asdict(source).items() if k != "folder"},
                "folder": str(source.folder),
                "images": manifest["images"],
                "faces": manifest["faces"],
                "no_face": manifest["no_face"],
                "repeated": repeated,
                "over_per_person": int(manifest["faces"] - len(rows) - repeated),
                "kept": len(rows),
                "identities": len(manifest["identities"]),
                "lfw_dropped": manifest.get("lfw_dropped", []),
            }
        )
    total = sum(len(rows) for _, rows in keep)
    merged = np.lib.format.open_memmap(out / "crops.tmp.npy", "w+", np.uint8, (total,) + CROP[::-1] + (3,))
    landmarks, at = [], 0
    for part, rows in keep:
        crops = np.load(part / "crops.npy", mmap_mode="r")
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            merged[at : at + len(chunk)] = crops[chunk]
            at += len(chunk)
        landmarks.append(np.load(part / "landmarks.npy")[rows])
    merged.flush()
    del merged
    (out / "crops.tmp.npy").replace(out / "crops.npy")
    np.save(out / "landmarks.npy", np.concatenate(landmarks))
    np.save(out / "labels.npy", np.concatenate(labels))
    np.save(out / "sources.npy", np.concatenate(source_ids))
    first = json.loads((parts[0] / "manifest.json").read_text())
    manifest = {
        "crop_size": first["crop_size"],
        "template": first["template"],
        "channel_order": first["channel_order"],
        "faces": total,
        "sources": counts,
        "identities": identities,
        "paths": paths,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def build_pool(
    folders: dict[str, Path], out: Path, lfw: Path | None, config: Path = DEFAULT_CONFIG, workers: int = 1
) -> dict:
    sources = load_sources(config, folders)
    excluded = lfw_names(lfw)
    for source in sources:
        build_part(source, out, excluded, workers)
    return merge(sources, out)


def impostor_threshold(cache: Cache, rows: np.ndarray, far: float, sample: int, seed: int = 0) -> float:
    """The score that `far` of different-person pairs among (a sample of) these labelled rows exceed."""
    if len(rows) > sample:
        rows = np.sort(np.random.default_rng(seed).choice(rows, sample, replace=False))
    embeddings, labels = cache.target(rows), cache.labels[rows]
    scores = []
    for start in range(0, len(rows), 1000):  # the upper triangle, a block of rows at a time
        block = embeddings[start : start + 1000] @ embeddings.T
        i, j = np.nonzero(np.arange(start, start + len(block))[:, None] < np.arange(len(rows))[None, :])
        different = labels[start + i] != labels[j]
        scores.append(block[i[different], j[different]])
    return float(np.quantile(np.concatenate(scores), 1 - far))


def screen_lfw(
    cache_dir: Path,
    lfw_dir: Path,
    name: str = "teacher",
    far: float = 1e-6,
    reference: str = "celeba",
    sample: int = 10_000,
) -> dict:
    """Drop unnamed sources' rows that match an LFW photo from `name`'s teacher rows and targets
    (distill trains on those rows only); the crops stay in the cache."""
    pool, lfw = Cache.load(cache_dir, name), Cache.load(lfw_dir, name)
    if pool.sources is None:
        raise TrainingError(f"{cache_dir} has no sources.npy: pool-screen takes a cache that pool built")
    sources = pool.sources
    reference_rows = np.flatnonzero(pool.source_rows(reference) & (pool.labels >= 0))
    threshold = impostor_threshold(pool, reference_rows, far, sample)
    lfw_targets = lfw.target(np.arange(len(lfw.labels)))
    best = np.concatenate(
        [
            (pool.target(np.arange(start, min(start + CHUNK, len(pool.labels)))) @ lfw_targets.T).max(1)
            for start in range(0, len(pool.labels), CHUNK)
        ]
    )
    options = {s["name"]: s for s in json.loads((cache_dir / "manifest.json").read_text())["sources"]}
    matched = best > threshold
    screened = np.array([not options[n].get("named") and n != reference for n in pool.source_names])[sources]
    drop = matched & screened
    keep = ~drop
    rows = np.load(cache_dir / f"{name}_rows.npy")
    np.save(cache_dir / f"{name}.npy", pool.teacher[keep])
    np.save(cache_dir / f"{name}_mirror.npy", pool.teacher_mirror[keep])
    np.save(cache_dir / f"{name}_rows.npy", rows[keep])
    report = {
        "far": far,
        "threshold": round(threshold, 4),
        "reference": reference,
        "lfw_photos": len(lfw_targets),
        "sources": {
            n: {
                "rows": int((sources == i).sum()),
                "matched": int((matched & (sources == i)).sum()),
                "dropped": int((drop & (sources == i)).sum()),
            }
            for i, n in enumerate(pool.source_names)
        },
        "kept": int(keep.sum()),
    }
    (cache_dir / f"{name}_lfw_screen.json").write_text(json.dumps(report, indent=1))
    return report


def parse_source(text: str) -> tuple[str, Path]:
    name, sep, folder = text.partition("=")
    if not sep or not name or not folder:
        raise TrainingError(f"--source wants NAME=DIR, got {text!r}")
    return name, Path(folder)


def run(args):
    folders = dict(parse_source(s) for s in args.source)
    manifest = build_pool(
        folders, Path(args.out), Path(args.lfw) if args.lfw else None, Path(args.config), args.workers
    )
    for s in manifest["sources"]:
        print(
            f"{s['name']:<10} {s['kept']:>7} kept of {s['images']:>7} photos (no face {s['no_face']}, "
            f"repeated {s['repeated']}, over per-person cap {s['over_per_person']}, {s['identities']} people, LFW people dropped {len(s['lfw_dropped'])})"
        )
    print(f"pool: {manifest['faces']} faces, {len(manifest['identities'])} identities in {args.out}")


def run_screen(args):
    report = screen_lfw(Path(args.cache), Path(args.lfw_cache), args.name, args.far, args.reference)
    print(f"LFW match threshold {report['threshold']} (FAR {report['far']} on {report['reference']} people)")
    for n, c in report["sources"].items():
        print(f"{n:<10} {c['rows']:>7} rows, {c['matched']:>5} match an LFW photo, {c['dropped']:>5} dropped")
    print(f"{report['kept']} rows keep teacher targets")


def register(subparsers):
    p = subparsers.add_parser("pool", help="build one training cache from many photo folders")
    p.add_argument("--source", action="append", required=True, help="NAME=DIR, NAME a source of --config")
    p.add_argument("--out", required=True, help="cache directory (resumes: finished sources are kept)")
    p.add_argument("--lfw", help="LFW images folder: its people are dropped from named sources")
    p.add_argument("--config", default=str(DEFAULT_CONFIG), help="source options (default: %(default)s)")
    p.add_argument("--workers", type=int, default=1, help="detection processes (default 1)")
    p.set_defaults(func=run)

    p = subparsers.add_parser("pool-screen", help="drop pool rows whose face matches an LFW photo")
    p.add_argument("--cache", required=True, help="the pool, teacher-embedded")
    p.add_argument("--lfw-cache", required=True, help="prepare + teacher-embed of the LFW images, same teacher")
    p.add_argument("--name", default="teacher", help="the cached teacher to screen with and to filter")
    p.add_argument("--far", type=float, default=1e-6, help="false match rate of one comparison (default %(default)s)")
    p.add_argument("--reference", default="celeba", help="labelled source, free of LFW people, for the threshold")
    p.set_defaults(func=run_screen)
