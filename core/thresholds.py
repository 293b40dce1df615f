"""Decision thresholds a model recommends for itself in its ONNX metadata."""
from __future__ import annotations

# Used for ONNX files that carry no recommendation (teachers, insightface packs): cosine 0.35
# separates most same/different pairs for 112x112 ArcFace-style embedders.
FALLBACK = {"attendance": 0.35, "unlock": 0.45}


def recommended_threshold(embedder, purpose: str = "attendance") -> float:
    value = embedder.metadata.get(f"facegate.threshold.{purpose}")
    return float(value) if value else FALLBACK[purpose]
