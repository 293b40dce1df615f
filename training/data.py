"""Cached crops with their cached teacher targets, and the student's augmentation.

Teacher targets come from the cache, one per view (original and mirror), never from running the
teacher during training: the 3-teacher ensemble costs ~25 ms per face per view on this CPU, more
than a whole student training step, so on-the-fly targets for each augmented view would make
the teacher, not the student, the cost of training. The other augmentations (small shift,
scale, rotation, colour, blur) are mild enough that the cached view's embedding stays a good
target; mirroring is not (faces are not symmetric to a network), hence the cached mirror target.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from core.vision.align import ARCFACE_TEMPLATE
from core.vision.embed import InputFormat
from training.config import AugmentConfig
from training.errors import TrainingError

MEAN, STD = 127.5, 127.5


def student_format(input_size: int) -> InputFormat:
    """The student's crop: the ArcFace template scaled to its side, RGB, (pixel - 127.5) / 127.5."""
    template = ARCFACE_TEMPLATE.reshape(-1) * (input_size / 112.0)
    return InputFormat(
        size=(input_size, input_size),
        channel_order="RGB",
        mean=MEAN,
        std=STD,
        template=tuple(float(v) for v in template),
    )


class RowView:
    """Rows `rows` of a memory-mapped array, read when indexed: a subset of a pool of 100,000
    crops stays on disk instead of being copied into memory (37 KB a face)."""

    def __init__(self, array: np.ndarray, rows: np.ndarray):
        self.array, self.rows = array, rows
        self.shape = (len(rows),) + array.shape[1:]

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index):
        return np.asarray(self.array[self.rows[index]])


@dataclass
class Cache:
    crops: np.ndarray | RowView  # N x 112 x 112 x 3 BGR
    labels: np.ndarray
    teacher: np.ndarray
    teacher_mirror: np.ndarray
    identities: list[str]
    # Each row's source index into source_names (a `pool` cache); None: one source.
    sources: np.ndarray | None = None
    source_names: tuple[str, ...] = ()

    def target(self, rows: np.ndarray) -> np.ndarray:
        """The teacher's embedding of these rows, crop and mirror summed and L2-normalised, as
        evaluation embeds a face."""
        both = self.teacher[rows] + self.teacher_mirror[rows]
        return both / np.linalg.norm(both, axis=1, keepdims=True)

    @classmethod
    def load(cls, root: str | Path, name: str = "teacher") -> Cache:
        """The cache rows that have teacher targets (teacher-embed may have embedded a subset)."""
        root = Path(root)
        manifest = json.loads((root / "manifest.json").read_text())
        rows = np.load(root / f"{name}_rows.npy")
        crops = np.load(root / "crops.npy", mmap_mode="r")
        return cls(
            # A memory map that parallel runs share, read row by row as batches need them.
            crops=crops[: len(rows)] if np.array_equal(rows, np.arange(len(rows))) else RowView(crops, rows),
            labels=np.load(root / "labels.npy")[rows],
            teacher=np.load(root / f"{name}.npy"),
            teacher_mirror=np.load(root / f"{name}_mirror.npy"),
            identities=manifest["identities"],
            sources=np.load(root / "sources.npy")[rows] if (root / "sources.npy").exists() else None,
            source_names=tuple(s["name"] for s in manifest.get("sources", ())),
        )

    def source_rows(self, name: str) -> np.ndarray:
        """Mask of the rows from source `name`; every row when name is empty."""
        if not name:
            return np.ones(len(self.labels), bool)
        if self.sources is None or name not in self.source_names:
            raise TrainingError(f"the cache has no source {name!r} (sources: {', '.join(self.source_names) or 'none'})")
        return self.sources == self.source_names.index(name)


def split_identities(
    labels: np.ndarray, fraction: float, seed: int, eligible: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of training and validation images, holding out whole identities (never images),
    so validation pairs are people the student has never seen, like a kiosk's enrolments.
    `eligible` (a row mask) limits the held-out people to those rows' (one source of a pool)."""
    known = np.unique(labels[(labels >= 0) & (True if eligible is None else eligible)])
    count = int(round(fraction * len(known)))
    if fraction > 0 and len(known) > 1:
        count = max(1, count)
    held = np.random.default_rng(seed).permutation(known)[:count]
    is_val = np.isin(labels, held)
    return np.flatnonzero(~is_val), np.flatnonzero(is_val)


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """N x H x W x 3 BGR uint8 -> N x 3 x H x W RGB float, normalised as the exported model expects."""
    x = torch.from_numpy(np.ascontiguousarray(images[..., ::-1])).permute(0, 3, 1, 2).float()
    return (x - MEAN) / STD


def resize(crop: np.ndarray, size: int) -> np.ndarray:
    return crop if crop.shape[0] == size else cv2.resize(crop, (size, size), interpolation=cv2.INTER_AREA)


def augment(crop: np.ndarray, size: int, cfg: AugmentConfig, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """One augmented view of a 112 crop at the student's size; returns it and whether it is mirrored."""
    k = cfg.strength
    mirrored = rng.random() < cfg.mirror
    if mirrored:
        crop = crop[:, ::-1]
    side = crop.shape[0]
    scale = size / side * (1 + rng.uniform(-k * cfg.scale, k * cfg.scale))
    matrix = cv2.getRotationMatrix2D((side / 2, side / 2), rng.uniform(-k * cfg.rotate, k * cfg.rotate), scale)
    # Centre the 112 crop in the output, then shift.
    matrix[:, 2] += (size - side) / 2 + rng.uniform(-k * cfg.shift, k * cfg.shift, 2) * size
    image = cv2.warpAffine(
        np.ascontiguousarray(crop), matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    ).astype(np.float32)
    gray = image @ np.array([0.114, 0.587, 0.299], np.float32)
    if rng.random() < k * cfg.grayscale:
        image[:] = gray[..., None]
    else:
        saturation = 1 + rng.uniform(-k * cfg.saturation, k * cfg.saturation)
        image = gray[..., None] + saturation * (image - gray[..., None])
    contrast = 1 + rng.uniform(-k * cfg.contrast, k * cfg.contrast)
    brightness = 1 + rng.uniform(-k * cfg.brightness, k * cfg.brightness)
    image = (image - gray.mean()) * contrast + gray.mean() * brightness
    if rng.random() < k * cfg.blur:
        image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.4, 1.2))
    return np.clip(image, 0, 255).astype(np.uint8), mirrored


class Batches:
    """Shuffled training batches (augmented images, teacher targets, labels) for one epoch.

    With `per_identity` K > 0 a batch holds groups of up to K photos of one person: a random
    batch of 64 among 1,200 people holds one or two same-person pairs, so the relational loss
    would learn only how strangers differ, never how one person's photos agree, which is what
    verification asks. Every photo is still seen once an epoch. Every random choice derives
    from (seed, epoch, index), so a resumed run sees exactly the batches it would have seen.
    """

    def __init__(
        self,
        cache: Cache,
        indices: np.ndarray,
        size: int,
        batch: int,
        cfg: AugmentConfig,
        seed: int,
        per_identity: int = 0,
    ):
        self.cache, self.indices, self.size, self.batch, self.cfg, self.seed = cache, indices, size, batch, cfg, seed
        self.per_identity = per_identity

    def __len__(self) -> int:
        return len(self.indices) // self.batch  # drop the last partial batch: BN and the relational loss want full ones

    def order(self, epoch: int) -> np.ndarray:
        rng = np.random.default_rng((self.seed, epoch))
        if not self.per_identity:
            return rng.permutation(self.indices)
        labels = self.cache.labels[self.indices]
        # Unlabelled photos are each their own group.
        keys = np.where(labels >= 0, labels, -1 - np.arange(len(labels)))
        groups = []
        for key in np.unique(keys):
            members = rng.permutation(self.indices[keys == key])
            groups += [members[i : i + self.per_identity] for i in range(0, len(members), self.per_identity)]
        return np.concatenate([groups[i] for i in rng.permutation(len(groups))])

    def epoch(self, epoch: int, start: int = 0):
        order = self.order(epoch)
        for b in range(start, len(self)):
            chosen = order[b * self.batch : (b + 1) * self.batch]
            images, targets = [], []
            for i in chosen:
                image, mirrored = augment(
                    self.cache.crops[i], self.size, self.cfg, np.random.default_rng((self.seed, epoch, i))
                )
                images.append(image)
                targets.append((self.cache.teacher_mirror if mirrored else self.cache.teacher)[i])
            yield (
                to_tensor(np.stack(images)),
                torch.from_numpy(np.stack(targets)),
                torch.from_numpy(self.cache.labels[chosen]),
            )
