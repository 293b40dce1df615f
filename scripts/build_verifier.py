"""Build the bundled verifier, assets/models/edgeface_xs.onnx, from the shared fp32 EdgeFace-XS.

    python scripts/build_verifier.py [--src ../shared/models/teachers/edgeface_xs.onnx] [--out FILE]
        [--cache cache/celeba --rows 2000]

The weights are stored as float16 initializers, each read through a Cast to float32 that
onnxruntime folds at load (constant folding), so the file is about half the size and the network
still computes in float32. Only the large weight tensors are converted; the small ones (biases,
layer-norm parameters, shape constants) stay float32, where halving them saves nothing.

The script then embeds real faces with both files and prints how far apart they are: the bundled
sample photos, and, with --cache, crops of a `python -m training prepare` cache (never LFW). The
impostor metadata that gives the verifier its thresholds is written afterwards, on the output file,
by `python -m training impostor --write` (see assets/models/README.md).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.vision.align import ARCFACE_TEMPLATE, align  # noqa: E402
from core.vision.detect import Detector  # noqa: E402
from core.vision.embed import Embedder  # noqa: E402
from core.vision.imaging import load_image  # noqa: E402
from training.onnx_meta import graph_digest, write_metadata  # noqa: E402

DEFAULT_SRC = ROOT.parent / "shared" / "models" / "teachers" / "edgeface_xs.onnx"
DEFAULT_OUT = ROOT / "assets" / "models" / "edgeface_xs.onnx"
# Tensors at least this large are stored in float16: the 60 weight matrices and convolutions, which
# hold 99 % of the 2.24 M parameters.
MIN_ELEMENTS = 1024
FP16_SUFFIX = "_fp16"
LICENCE = (
    "non-commercial research use only: EdgeFace-XS weights trained on WebFace (code BSD-3-Clause, Idiap); "
    "a site that needs commercial terms must replace this verifier"
)


def to_fp16(model: onnx.ModelProto) -> tuple[onnx.ModelProto, int]:
    """The same network with large float32 initializers stored as float16 behind a Cast."""
    graph = model.graph
    casts, kept, converted = [], [], 0
    for init in graph.initializer:
        array = numpy_helper.to_array(init)
        if init.data_type != TensorProto.FLOAT or array.size < MIN_ELEMENTS:
            kept.append(init)
            continue
        half = array.astype(np.float16)
        if not np.all(np.isfinite(half)):
            raise ValueError(f"{init.name}: values beyond float16's range")
        kept.append(numpy_helper.from_array(half, init.name + FP16_SUFFIX))
        casts.append(helper.make_node("Cast", [init.name + FP16_SUFFIX], [init.name], to=TensorProto.FLOAT))
        converted += array.size
    nodes = casts + list(graph.node)
    del graph.initializer[:]
    graph.initializer.extend(kept)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    return model, converted


def build(src: Path, out: Path) -> None:
    model = onnx.load(str(src))
    total = sum(int(np.prod(i.dims)) for i in model.graph.initializer)
    model, converted = to_fp16(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out))
    source_sha = hashlib.sha256(src.read_bytes()).hexdigest()
    write_metadata(
        out,
        {
            # An id of its own that metadata edits (the impostor tail) leave unchanged.
            "facegate.model_id": f"edgeface_xs-fp16-{graph_digest(out)}",
            "facegate.licence": LICENCE,
            "facegate.origin": f"EdgeFace-XS (George et al., IEEE T-BIOM 2024), fp32 ONNX sha256 {source_sha}, "
            "weights stored as float16",
        },
    )
    print(f"{out}: {converted:,} of {total:,} parameters stored as float16; {out.stat().st_size:,} bytes")


def sample_faces(samples: Path) -> list[tuple[np.ndarray, np.ndarray]]:
    """(image, landmarks) of every face the bundled detector finds in the sample photos."""
    detector = Detector()
    faces = []
    for photo in sorted(p for p in samples.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png")):
        image = load_image(photo)
        faces += [(image, face.landmarks) for face in detector.detect(image)]
    return faces


def compare(src: Path, out: Path, cache: Path | None, rows: int) -> None:
    reference, shipped = Embedder(src, threads=1), Embedder(out, threads=1)
    faces = sample_faces(ROOT / "assets" / "samples")
    a = np.concatenate([reference.embed(image, [marks]) for image, marks in faces])
    b = np.concatenate([shipped.embed(image, [marks]) for image, marks in faces])
    print(
        f"sample photos, {len(faces)} faces: max |difference| {np.abs(a - b).max():.2e} per coordinate, "
        f"lowest cosine between the two files' embeddings {np.min(np.sum(a * b, axis=1)):.6f}"
    )
    if cache is None:
        return
    crops = np.load(cache / "crops.npy", mmap_mode="r")
    labels = np.load(cache / "labels.npy")
    pick = np.sort(np.random.default_rng(0).choice(len(crops), size=min(rows, len(crops)), replace=False))
    fmt = reference.format
    batch = [align(np.asarray(crops[i]), ARCFACE_TEMPLATE, fmt.size, fmt.template) for i in pick]
    a = np.concatenate([reference.embed_crops(batch[i : i + 256]) for i in range(0, len(batch), 256)])
    b = np.concatenate([shipped.embed_crops(batch[i : i + 256]) for i in range(0, len(batch), 256)])
    upper = np.triu_indices(len(pick), 1)
    sa, sb = (a @ a.T)[upper], (b @ b.T)[upper]
    same = (labels[pick][:, None] == labels[pick][None, :])[upper]
    print(
        f"{len(pick)} CelebA crops ({cache}), {len(sa):,} pairs ({int(same.sum()):,} same person): "
        f"max |difference| {np.abs(a - b).max():.2e} per coordinate, "
        f"max |score difference| {np.abs(sa - sb).max():.2e}"
    )
    for threshold in (0.3, 0.4, 0.5):
        flips = int(np.sum((sa >= threshold) != (sb >= threshold)))
        print(f"  pairs decided differently at {threshold}: {flips} of {len(sa):,}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC, help="the fp32 EdgeFace-XS ONNX file")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--cache", type=Path, help="a prepare cache whose crops also check parity")
    parser.add_argument("--rows", type=int, default=2000, help="crops of --cache to compare")
    args = parser.parse_args()
    build(args.src, args.out)
    compare(args.src, args.out, args.cache, args.rows)
    print(f"sha256 {hashlib.sha256(args.out.read_bytes()).hexdigest()}  {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
