"""`facegate detect`, `compare` and `liveness`: one photo's faces, two photos' likeness, a face's liveness."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import FaceGateError
from desktop_app.cli.common import face_pipeline, pad_model
from desktop_app.cli.options import drawing, min_face, number, pad_options, verifier_options

if TYPE_CHECKING:
    import numpy as np

    from core.types import Face


def add_detect(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("detect", help="count the faces in photos (with --json: each face's box, landmarks and score)")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="photo files (JPEG, PNG, BMP, WebP or TIFF)")
    p.add_argument("--json", action="store_true", help="print every face as JSON instead of one count line per photo")
    p.add_argument("--draw", metavar="OUT.png", type=drawing, help="write the image with boxes and landmarks")
    p.add_argument("--min-face", type=min_face, default=20, help="smallest face side in pixels (default 20)")
    p.set_defaults(func=detect)


def add_compare(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="are two photos the same person? exit 0 if same, 1 if not")
    p.add_argument("image1", metavar="IMAGE1", help="a photo of one person (the largest face is compared)")
    p.add_argument("image2", metavar="IMAGE2", help="a photo of the same or another person")
    p.add_argument("--model", default=argparse.SUPPRESS, help="ONNX embedding model(s), comma-separated")
    verifier_options(p)
    p.add_argument("--threshold", type=number(float, -1, 1), help="override the deciding model's recommended threshold")
    p.add_argument("--min-face", type=min_face, default=20, help="smallest face side in pixels (default 20)")
    p.set_defaults(func=compare)


def add_liveness(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "liveness", parents=[pad_options()], help="live score and verdict of each face; exit 0 if all are live"
    )
    p.add_argument("images", nargs="+", metavar="IMAGE", help="photo files; every face in them is scored")
    p.set_defaults(func=liveness)


def detect(args: argparse.Namespace) -> int:
    from core.vision.detect import Detector
    from core.vision.imaging import load_image

    detector = Detector(min_face=args.min_face)
    results = []
    for path in args.images:
        image = load_image(path)
        faces = detector.detect(image)
        results.append({"image": str(path), "faces": [f.to_dict() for f in faces]})
        if not args.json:
            print(f"{len(faces) or 'no'} face{'' if len(faces) == 1 else 's'} in {path}")
        if args.draw:
            _draw(image, faces, _draw_path(Path(args.draw), Path(path), len(args.images)))
    if args.json:
        print(json.dumps(results if len(results) > 1 else results[0], indent=1))
    return 0


def _draw_path(out: Path, image: Path, count: int) -> Path:
    # One image writes OUT as given; several write OUT's stem plus each image's stem.
    return out if count == 1 else out.with_name(f"{out.stem}_{image.stem}{out.suffix}")


def _draw(image: np.ndarray, faces: list[Face], out: Path) -> None:
    from PIL import Image, ImageDraw

    canvas = Image.fromarray(image[:, :, ::-1])  # BGR -> RGB
    draw = ImageDraw.Draw(canvas)
    for face in faces:
        x1, y1, x2, y2 = (int(round(v)) for v in face.box)
        draw.rectangle((x1, y1, x2, y2), outline=(0, 200, 0), width=2)
        for x, y in face.landmarks:
            draw.ellipse((x - 2, y - 2, x + 2, y + 2), fill=(255, 0, 0))
    try:
        canvas.save(out)
    except ValueError:
        raise FaceGateError(f"cannot write {out}: name it .jpg, .png, .bmp, .webp or .tif") from None
    except OSError as exc:
        raise FaceGateError(f"cannot write {out}: {exc.strerror or exc}") from None


def compare(args: argparse.Namespace) -> int:
    from core.matching.thresholds import recommended_threshold

    # The same pipeline as every other command, so naming the bundled model changes nothing.
    pipeline = face_pipeline(args, min_face=args.min_face)
    from core.vision.imaging import load_image

    # With a verifier, its 1:1 verdict: the same model that decides at the kiosk.
    decider = pipeline.verifier or pipeline.embedder
    embeddings = []
    for path in (args.image1, args.image2):
        image = load_image(path)
        faces = pipeline.detect(image)[:1]
        if not faces:
            raise FaceGateError(f"no face found in {path}")
        embeddings.append(decider.embed(image, [faces[0].landmarks])[0])
    similarity = float(embeddings[0] @ embeddings[1])
    threshold = args.threshold if args.threshold is not None else recommended_threshold(decider)
    same = similarity >= threshold
    print(f"similarity={similarity:.4f} threshold={threshold:.4f} verdict={'same' if same else 'different'}")
    return 0 if same else 1


def liveness(args: argparse.Namespace) -> int:
    from core.vision.detect import Detector
    from core.vision.imaging import load_image

    pad = pad_model(args)
    detector = Detector(min_face=20)
    all_live = True
    for path in args.images:
        image = load_image(path)
        faces = detector.detect(image)
        if not faces:
            print(f"{path}: no face found")
            all_live = False
            continue
        for i, (face, score) in enumerate(zip(faces, pad.score(image, faces))):
            live = "-" if score.live is None else f"{score.live:.3f}"
            print(
                f"{path}: face {i} box={[round(float(v)) for v in face.box]} live={live} verdict={score.verdict}"
                + (f" ({score.hint})" if score.hint else "")
            )
            all_live &= score.verdict == "live"
    return 0 if all_live else 1
