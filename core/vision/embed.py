"""Face embeddings from any ONNX embedding model (the student, a teacher, an insightface pack)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from core.errors import ModelError
from core.vision.align import ARCFACE_TEMPLATE, align
from core.vision.onnx import inference_session


@dataclass(frozen=True)
class InputFormat:
    """How a model wants its crop. Defaults are insightface's conventions, used for ONNX files
    without `face.*` metadata (its packs carry none)."""

    size: tuple[int, int] = (112, 112)
    channel_order: str = "RGB"
    mean: float = 127.5
    std: float = 127.5
    # A tuple of 10 floats (x, y of each point) keeps the format hashable and comparable.
    template: tuple[float, ...] = tuple(float(v) for v in ARCFACE_TEMPLATE.reshape(-1))

    @classmethod
    def from_metadata(cls, meta: dict[str, str]) -> InputFormat:
        default = cls()
        size = meta.get("face.input_size")
        template = meta.get("face.template")
        return cls(
            size=_pair(size) if size else default.size,
            channel_order=meta.get("face.channel_order", default.channel_order).upper(),
            mean=float(meta.get("face.mean", default.mean)),
            std=float(meta.get("face.std", default.std)),
            template=tuple(float(v) for v in template.split(",")) if template else default.template,
        )

    def to_metadata(self) -> dict[str, str]:
        return {
            "face.input_size": f"{self.size[0]},{self.size[1]}",
            "face.channel_order": self.channel_order,
            "face.mean": f"{self.mean:g}",
            "face.std": f"{self.std:g}",
            "face.template": ",".join(f"{v:g}" for v in self.template),
        }


class FaceEmbedder(Protocol):
    """What the gallery, the thresholds, enrolment, the kiosk and the pipeline need of an embedding
    model: one ONNX file (Embedder) or several as one (Ensemble)."""

    @property
    def model_id(self) -> str:
        """Stamped on the templates it makes: only templates of the same model compare."""
        ...

    @property
    def metadata(self) -> Mapping[str, str]: ...

    @property
    def dim(self) -> int: ...

    @property
    def formats(self) -> list[InputFormat]: ...

    def embed(self, image: np.ndarray, landmarks: Sequence[np.ndarray]) -> np.ndarray: ...

    def embed_crops(self, crops: Sequence[np.ndarray] | np.ndarray) -> np.ndarray: ...


class Embedder:
    """Runs one ONNX embedding model on aligned crops; output rows are L2-normalised float32."""

    def __init__(
        self,
        path: str | Path,
        fmt: InputFormat | None = None,
        threads: int = 1,
        flip: bool = False,
    ):
        self.path = Path(path)
        if not self.path.is_file():
            what = "a folder" if self.path.is_dir() else "missing"
            raise ModelError(f"{self.path} is not a model file ({what}); give the path of an .onnx embedding model")
        self.session = inference_session(self.path, threads, f"cannot load embedding model {self.path}")
        self.metadata = dict(self.session.get_modelmeta().custom_metadata_map)
        try:
            self.format = fmt or InputFormat.from_metadata(self.metadata)
        except ValueError as exc:
            raise ModelError(f"{self.path} has malformed face.* metadata: {exc}") from None
        self.flip = flip
        self._input = self.session.get_inputs()[0].name
        self.dim = self._check_signature()
        self.model_id = self.metadata.get("facegate.model_id") or file_digest(self.path)

    def _check_signature(self) -> int:
        """The embedding size, after checking the graph looks like an embedder for self.format: one
        N x 3 x H x W image in, one N x D embedding out (a detector, say, has several outputs)."""
        inputs, outputs = self.session.get_inputs(), self.session.get_outputs()
        width, height = self.format.size
        image = inputs[0].shape if len(inputs) == 1 else []
        embedding = outputs[0].shape if len(outputs) == 1 else []
        # Symbolic (named) dimensions are fine; fixed ones must be what the format says.
        channels_fit = len(image) == 4 and (image[1] == 3 or not isinstance(image[1], int))
        sides_fit = all(not isinstance(v, int) or v == want for v, want in zip(image[2:], (height, width)))
        size = embedding[-1] if len(embedding) == 2 else None
        if not isinstance(size, int):
            size = self.metadata.get("face.embedding_size", "")
        if not (channels_fit and sides_fit and len(embedding) == 2 and str(size).isdigit()):
            ins = ", ".join(str(i.shape) for i in inputs)
            outs = ", ".join(str(o.shape) for o in outputs)
            raise ModelError(
                f"{self.path} is not a face-embedding model: it takes {ins} and gives {outs}, where one "
                f"N x 3 x {height} x {width} image in and one N x D embedding out are expected"
            )
        return int(size)

    @classmethod
    def from_onnx(cls, path: str | Path, **kwargs) -> Embedder:
        return cls(path, **kwargs)

    @property
    def formats(self) -> list[InputFormat]:
        return [self.format]

    def embed(self, image: np.ndarray, landmarks: Sequence[np.ndarray]) -> np.ndarray:
        """Embeddings (N, dim) of the faces with these landmarks in a BGR image."""
        crops = [align(image, lm, self.format.size, self.format.template) for lm in landmarks]
        return self.embed_crops(crops)

    def embed_crops(self, crops: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
        """Embeddings of BGR uint8 crops already aligned to this model's format."""
        if len(crops) == 0:
            return np.zeros((0, self.dim), np.float32)
        batch = np.asarray(crops)
        if batch.shape[1:3] != (self.format.size[1], self.format.size[0]):
            raise ValueError(f"crops are {batch.shape[1:3]}, model wants {self.format.size[::-1]}")
        if self.format.channel_order == "RGB":
            batch = batch[..., ::-1]
        x = (batch.astype(np.float32) - self.format.mean) / self.format.std
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
        out = self._run(x)
        if self.flip:
            # Summing the mirror's embedding is the usual test-time trick: +0.1-0.3 points on LFW.
            out = out + self._run(np.ascontiguousarray(x[..., ::-1]))
        return l2_normalise(out)

    def _run(self, x: np.ndarray) -> np.ndarray:
        return self.session.run(None, {self._input: x})[0].reshape(len(x), -1).astype(np.float32)


class Ensemble:
    """Several embedders as one: each model's normalised embedding, concatenated, renormalised."""

    def __init__(self, members: Sequence[Embedder]):
        if not members:
            raise ModelError("an ensemble needs at least one model")
        self.members = list(members)
        self.dim = sum(m.dim for m in self.members)
        self.model_id = "+".join(m.model_id for m in self.members)
        self.metadata: dict[str, str] = {}

    @property
    def formats(self) -> list[InputFormat]:
        return [m.format for m in self.members]

    def embed(self, image: np.ndarray, landmarks: Sequence[np.ndarray]) -> np.ndarray:
        return l2_normalise(np.concatenate([m.embed(image, landmarks) for m in self.members], axis=1))

    def embed_crops(self, crops: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
        return l2_normalise(np.concatenate([m.embed_crops(crops) for m in self.members], axis=1))


def load_embedder(spec: str | Path, threads: int = 1, flip: bool = False) -> Embedder | Ensemble:
    """One model path, or several joined by commas for an ensemble."""
    paths = [p for p in str(spec).split(",") if p]
    embedders = [Embedder(p, threads=threads, flip=flip) for p in paths]
    return embedders[0] if len(embedders) == 1 else Ensemble(embedders)


def _pair(text: str) -> tuple[int, int]:
    width, height = (int(v) for v in text.split(","))
    return width, height


def l2_normalise(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(norms, 1e-12)).astype(np.float32)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
