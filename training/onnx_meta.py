"""Reading and writing an exported model's metadata, and the digest that ignores it.

Export writes the metadata, impostor adds its tail to it and the liveness training writes its own:
all of them change metadata only, and graph_digest checks that the graph and weights did not move.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import onnx


def graph_digest(path: Path) -> str:
    """Digest of the graph and weights only, so re-exporting with new metadata keeps the id."""
    model = onnx.load(str(path))
    del model.metadata_props[:]
    return hashlib.sha256(model.SerializeToString(deterministic=True)).hexdigest()[:10]


def write_metadata(path: Path, entries: dict[str, str]) -> None:
    model = onnx.load(str(path))
    existing = {p.key: p for p in model.metadata_props}
    for key, value in entries.items():
        if key in existing:
            existing[key].value = value
        else:
            model.metadata_props.add(key=key, value=value)
    onnx.save(model, str(path))


def read_metadata(path: Path) -> dict[str, str]:
    return {p.key: p.value for p in onnx.load(str(path)).metadata_props}
