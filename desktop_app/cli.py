"""The `facegate` command: the app by default, and the same jobs headless for scripts."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.errors import FaceGateError


def _cmd_detect(args: argparse.Namespace) -> int:
    from core.detect import Detector
    from core.imaging import load_image

    detector = Detector(min_face=args.min_face)
    results = []
    for path in args.images:
        image = load_image(path)
        faces = detector.detect(image)
        results.append({"image": str(path), "faces": [f.to_dict() for f in faces]})
        if args.draw:
            _draw(image, faces, _draw_path(Path(args.draw), Path(path), len(args.images)))
    print(json.dumps(results if len(results) > 1 else results[0], indent=1))
    return 0


def _draw_path(out: Path, image: Path, count: int) -> Path:
    # One image writes OUT as given; several write OUT's stem plus each image's stem.
    return out if count == 1 else out.with_name(f"{out.stem}_{image.stem}{out.suffix}")


def _draw(image, faces, out: Path) -> None:
    import cv2

    canvas = image.copy()
    for face in faces:
        x1, y1, x2, y2 = (int(round(v)) for v in face.box)
        cv2.rectangle(canvas, (x1, y1), (x2, y2), (0, 200, 0), 2)
        for x, y in face.landmarks:
            cv2.circle(canvas, (int(round(x)), int(round(y))), 2, (0, 0, 255), -1)
    if not cv2.imwrite(str(out), canvas):
        raise FaceGateError(f"cannot write {out}")


def _cmd_compare(args: argparse.Namespace) -> int:
    from core.pipeline import FacePipeline
    from core.detect import Detector
    from core.embed import load_embedder
    from core.thresholds import recommended_threshold

    embedder = load_embedder(args.model, flip=True) if args.model else None
    pipeline = FacePipeline(Detector(min_face=args.min_face), embedder)
    embeddings = []
    for path in (args.image1, args.image2):
        faces = pipeline.faces(path, max_faces=1)
        if not faces:
            raise FaceGateError(f"no face found in {path}")
        embeddings.append(faces[0].embedding)
    similarity = float(embeddings[0] @ embeddings[1])
    threshold = args.threshold if args.threshold is not None else recommended_threshold(pipeline.embedder)
    same = similarity >= threshold
    print(f"similarity={similarity:.4f} threshold={threshold:.4f} verdict={'same' if same else 'different'}")
    return 0 if same else 1


def _cmd_bench(args: argparse.Namespace) -> int:
    from core.benchmark import bench_stages
    from core.pipeline import model_spec

    photo = Path(args.photo) if args.photo else _sample_photo()
    results = []
    for threads in (1, 2):
        t = bench_stages(photo, Path(model_spec(args.model)), threads, args.repeats)
        results.append(t)
        print(
            f"threads={threads} decode_ms={t.decode_ms:.2f} detect_ms={t.detect_ms:.2f} "
            f"align_ms={t.align_ms:.3f} embed_ms={t.embed_ms:.2f} match_10k_ms={t.match_ms:.3f} "
            f"pipeline_fps={t.pipeline_fps:.1f}"
        )
    if args.recall:
        from core.detect import Detector
        from core.detect_eval import centre_recall

        images = sorted(p for p in Path(args.recall).rglob("*") if p.suffix.lower() in {".jpg", ".jpeg", ".png"})
        hits, total = centre_recall(Detector(min_face=args.recall_min_face), images)
        print(f"recall_images={total} found={hits}")
        print(f"recall={100.0 * hits / max(total, 1):.2f}")
        return 0
    one = results[0]
    print(f"detect_ms={one.detect_ms:.1f} embed_ms={one.embed_ms:.1f} pipeline_fps={one.pipeline_fps:.1f}")
    return 0


def _sample_photo() -> Path:
    import insightface

    return Path(insightface.__file__).parent / "data" / "images" / "Tom_Hanks_54745.png"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="facegate", description=__doc__)
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("detect", help="find faces and print them as JSON")
    p.add_argument("images", nargs="+")
    p.add_argument("--draw", metavar="OUT.png", help="write the image with boxes and landmarks")
    p.add_argument("--min-face", type=int, default=20, help="smallest face side in pixels (default 20)")
    p.set_defaults(func=_cmd_detect)

    p = sub.add_parser("compare", help="are two photos the same person? exit 0 if same, 1 if not")
    p.add_argument("image1")
    p.add_argument("image2")
    p.add_argument("--model", help="ONNX embedding model(s), comma-separated (default: bundled student)")
    p.add_argument("--threshold", type=float, help="override the model's recommended threshold")
    p.add_argument("--min-face", type=int, default=20)
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("bench", help="per-stage latency; with --recall DIR, detector recall")
    p.add_argument("--model", help="embedding model (default: bundled student)")
    p.add_argument("--photo", help="photo to build the 640x480 test frame from")
    p.add_argument("--repeats", type=int, default=50)
    p.add_argument("--recall", metavar="DIR", help="folder of one-face photos (LFW) to measure recall on")
    p.add_argument("--recall-min-face", type=int, default=20)
    p.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except FaceGateError as exc:
        print(f"facegate: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
