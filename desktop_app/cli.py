"""The `facegate` command: the app by default, and the same jobs headless for scripts."""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
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

    if args.pad:
        return _bench_pad(args)
    photo = Path(args.photo) if args.photo else _sample_photo()
    results = []
    for threads in (1, 2):
        t = bench_stages(photo, Path(model_spec(args.model)), threads, args.repeats, pad=_pad_model(args, threads))
        results.append(t)
        print(
            f"threads={threads} decode_ms={t.decode_ms:.2f} detect_ms={t.detect_ms:.2f} "
            f"align_ms={t.align_ms:.3f} embed_ms={t.embed_ms:.2f} match_10k_ms={t.match_ms:.3f} "
            f"pad_ms={t.pad_ms:.2f} pipeline_fps={t.pipeline_fps:.1f}"
        )
    if args.recall:
        from core.detect import Detector
        from core.detect_eval import centre_recall

        from core.imaging import image_files

        hits, total = centre_recall(Detector(min_face=args.recall_min_face), image_files(args.recall, recursive=True))
        print(f"recall_images={total} found={hits}")
        print(f"recall={100.0 * hits / max(total, 1):.2f}")
        return 0
    one = results[0]
    print(f"detect_ms={one.detect_ms:.1f} embed_ms={one.embed_ms:.1f} pad_ms={one.pad_ms:.1f} "
          f"pipeline_fps={one.pipeline_fps:.1f}")
    return 0


def _pad_model(args: argparse.Namespace, threads: int = 1):
    from core.pad import PadModel

    return PadModel(getattr(args, "pad_model", None), threads=threads, strictness=args.strictness)


def _bench_pad(args: argparse.Namespace) -> int:
    """APCER per attack type and BPCER (ISO/IEC 30107-3), per frame and after the temporal rule."""
    from core.benchmark import bench_pad

    pad = _pad_model(args)
    report = bench_pad(Path(args.pad), pad)
    print(f"pad_model={report.model_id} strictness={args.strictness} threshold={report.threshold:.2f} "
          f"ms_per_face={report.ms_per_face:.2f}")
    for r in report.rates:
        metric = "BPCER" if r.kind == "live" else "APCER"
        print(f"{r.kind:<8} {metric} frame={100 * r.frame_error:6.2f}% temporal={100 * r.temporal_error:6.2f}% "
              f"frames={r.frames} groups={r.groups} no_face={r.no_face} temporal_decisions={r.temporal_decisions}")
    apcer = max((r.temporal_error for r in report.attacks), default=0.0)
    print(f"apcer_max={100 * apcer:.2f} bpcer={100 * report.bpcer.temporal_error:.2f}")
    return 0


def _cmd_liveness(args: argparse.Namespace) -> int:
    from core.detect import Detector
    from core.imaging import load_image

    pad = _pad_model(args)
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
            print(f"{path}: face {i} box={[round(float(v)) for v in face.box]} live={live} verdict={score.verdict}"
                  + (f" ({score.hint})" if score.hint else ""))
            all_live &= score.verdict == "live"
    return 0 if all_live else 1


def _sample_photo() -> Path:
    import insightface

    return Path(insightface.__file__).parent / "data" / "images" / "Tom_Hanks_54745.png"


def _store():
    from core.store import Store

    return Store()


def _pipeline(args: argparse.Namespace):
    from core.detect import Detector
    from core.embed import load_embedder
    from core.pipeline import FacePipeline, model_spec

    return FacePipeline(Detector(), load_embedder(model_spec(args.model)))


def _cmd_enroll(args: argparse.Namespace) -> int:
    from core.enroll import Enroller

    with _store() as store:
        result = Enroller(store, _pipeline(args)).enroll_photos(
            args.name, args.images, group=args.group, external_id=args.external_id
        )
    for outcome in result.outcomes:
        print(f"{outcome.path}: {'ok' if outcome.ok else outcome.reason}")
    for match in result.duplicates:
        print(f"warning: {args.name} already looks like {match.name} (similarity {match.similarity:.2f})", file=sys.stderr)
    verb = "enrolled" if result.created else "added to"
    print(f"{verb} {result.person.name} (#{result.person.id}): {len(result.template_ids)} templates")
    return 0


def _cmd_people(args: argparse.Namespace) -> int:
    from core.enroll import model_key
    from core.embed import load_embedder
    from core.pipeline import model_spec

    with _store() as store:
        people = store.list_people(include_inactive=True)
        stale = {t.person_id for t in store.stale_templates(*model_key(load_embedder(model_spec(args.model))))}
    for p in people:
        flags = [flag for flag, on in (("inactive", not p.active), ("stale templates", p.id in stale)) if on]
        print(f"#{p.id}\t{p.name}\t{p.external_id or '-'}\t{p.group or '-'}\t{', '.join(flags)}".rstrip())
    if not people:
        print("nobody is enrolled yet: facegate enroll NAME PHOTO...", file=sys.stderr)
    return 0


def _camera(args: argparse.Namespace, store) -> str:
    return args.camera if args.camera is not None else store.load_settings().camera_source


def _describe(event) -> str:
    return (
        f"{event.kind}: {event.name} at {event.time.astimezone():%Y-%m-%d %H:%M:%S} "
        f"similarity={event.similarity:.3f} kiosk={event.kiosk_id}"
    )


def _cmd_checkin(args: argparse.Namespace) -> int:
    from core.camera import open_source
    from core.kiosk import Kiosk

    checked_in = False
    frames = 0
    with _store() as store:
        kiosk = Kiosk(store, _pipeline(args))
        try:
            with open_source(_camera(args, store), realtime=args.realtime) as source:
                start = time.perf_counter()
                for frame in source:
                    result = kiosk.process(frame)
                    frames += 1
                    if result.error:
                        print(f"facegate: {result.error}", file=sys.stderr)
                    for event in result.events:
                        # Printed only once the Store has committed it: a script may rely on the line.
                        print(_describe(event), flush=True)
                        checked_in = True
                    if args.once and checked_in:
                        break
        except KeyboardInterrupt:
            pass
    if args.stats and frames:
        print(f"fps={frames / max(time.perf_counter() - start, 1e-9):.1f}")
    return 1 if args.once and not checked_in else 0


def _cmd_unlock(args: argparse.Namespace) -> int:
    from core.camera import open_source
    from core.kiosk import Kiosk, unlock_people

    deadline = time.monotonic() + args.timeout
    with _store() as store:
        kiosk = Kiosk(store, _pipeline(args), unlock_for=unlock_people(store, args.person))
        with open_source(_camera(args, store), realtime=args.realtime) as source:
            said = None
            for frame in source:
                result = kiosk.process(frame)
                if result.events:
                    print(_describe(result.events[0]), flush=True)
                    return 0
                # The challenge prompt and liveness hints are for the person at the camera.
                message = result.prompt or result.hint
                if message and message != said:
                    print(message, file=sys.stderr, flush=True)
                said = message
                if time.monotonic() > deadline:
                    break
    who = f"{args.person} was not" if args.person else "no member of the 'admin' group was"
    print(f"not unlocked: {who} recognised, judged live and seen turning as asked in time", file=sys.stderr)
    return 1


def _cmd_export(args: argparse.Namespace) -> int:
    from desktop_app.dates import day_range

    if args.end < args.start:
        raise FaceGateError("--to is before --from")
    with _store() as store:
        count = store.export_csv(args.out, *day_range(args.start, args.end))
    print(f"wrote {count} event{'' if count == 1 else 's'} to {args.out}")
    return 0


def _cmd_app(args: argparse.Namespace) -> int:
    from desktop_app.app import run_app

    return run_app(camera=args.camera, fullscreen=args.fullscreen, model=args.model)


def _cmd_selftest(args: argparse.Namespace) -> int:
    from desktop_app.selftest import run_selftest

    return 0 if run_selftest() else 1


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-01-31") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="facegate", description=__doc__)
    parser.add_argument(
        "--model", help="ONNX embedding model(s), comma-separated (default: FACEGATE_MODEL, else the bundled student)"
    )
    parser.add_argument("--camera", metavar="SRC", help="camera number, URL, video file or folder of images")
    parser.add_argument("--fullscreen", action="store_true", help="open the app as a full-screen kiosk")
    parser.add_argument("--selftest", action="store_true", help="check this install without camera or display")
    parser.set_defaults(func=_cmd_app)
    sub = parser.add_subparsers(dest="command")
    # The same options after the command name; SUPPRESS keeps a subcommand from resetting the
    # value given before it.
    model = argparse.ArgumentParser(add_help=False)
    model.add_argument("--model", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    camera = argparse.ArgumentParser(add_help=False)
    camera.add_argument("--camera", metavar="SRC", default=argparse.SUPPRESS,
                        help="camera number, URL, video file or folder (default: the Settings camera)")
    camera.add_argument("--realtime", action="store_true", help="play files and folders at their own frame rate")
    pad = argparse.ArgumentParser(add_help=False)
    pad.add_argument("--pad-model", metavar="SPEC",
                     help="liveness model (default: the bundled pad.onnx); PATH@SCALE for a reference model "
                          "without metadata, several joined by commas to average them")
    pad.add_argument("--strictness", choices=("lenient", "normal", "strict"), default="normal",
                     help="which of the model's liveness thresholds to use (default normal)")

    p = sub.add_parser("detect", help="find faces and print them as JSON")
    p.add_argument("images", nargs="+")
    p.add_argument("--draw", metavar="OUT.png", help="write the image with boxes and landmarks")
    p.add_argument("--min-face", type=int, default=20, help="smallest face side in pixels (default 20)")
    p.set_defaults(func=_cmd_detect)

    p = sub.add_parser("compare", help="are two photos the same person? exit 0 if same, 1 if not")
    p.add_argument("image1")
    p.add_argument("image2")
    p.add_argument("--model", default=argparse.SUPPRESS, help="ONNX embedding model(s), comma-separated")
    p.add_argument("--threshold", type=float, help="override the model's recommended threshold")
    p.add_argument("--min-face", type=int, default=20)
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("bench", parents=[pad],
                       help="per-stage latency; with --recall DIR, detector recall; with --pad DIR, liveness error rates")
    p.add_argument("--model", default=argparse.SUPPRESS, help="embedding model")
    p.add_argument("--photo", help="photo to build the 640x480 test frame from")
    p.add_argument("--repeats", type=int, default=50)
    p.add_argument("--recall", metavar="DIR", help="folder of one-face photos (LFW) to measure recall on")
    p.add_argument("--recall-min-face", type=int, default=20)
    p.add_argument("--pad", metavar="DIR", help="DIR/<set>/<live|print|replay|...>/ frames: APCER per attack type, BPCER")
    p.set_defaults(func=_cmd_bench)

    p = sub.add_parser("liveness", parents=[pad], help="live score and verdict of each face; exit 0 if all are live")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.set_defaults(func=_cmd_liveness)

    p = sub.add_parser("enroll", parents=[model], help="enrol a person from photos (adds to them if NAME exists)")
    p.add_argument("name")
    p.add_argument("images", nargs="+", metavar="IMG")
    p.add_argument("--group")
    p.add_argument("--external-id")
    p.set_defaults(func=_cmd_enroll)

    p = sub.add_parser("people", parents=[model], help="list the enrolled people")
    p.set_defaults(func=_cmd_people)

    p = sub.add_parser("checkin", parents=[model, camera], help="headless kiosk: print each check-in as it is stored")
    p.add_argument("--once", action="store_true", help="exit after the first check-in (exit 1 if the source ends first)")
    p.add_argument("--stats", action="store_true", help="print fps=N.N as the last line")
    p.set_defaults(func=_cmd_checkin)

    p = sub.add_parser("unlock", parents=[model, camera], help="exit 0 once PERSON is recognised, 1 otherwise")
    p.add_argument("--person", help="who may unlock (default: anyone in the 'admin' group)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S", help="give up after S seconds (default 10)")
    p.set_defaults(func=_cmd_unlock)

    p = sub.add_parser("attendance", help="attendance records")
    records = p.add_subparsers(dest="action", required=True)
    p = records.add_parser("export", help="write the events of a date range as CSV")
    p.add_argument("--from", dest="start", type=_day, required=True, metavar="DATE")
    p.add_argument("--to", dest="end", type=_day, required=True, metavar="DATE", help="inclusive")
    p.add_argument("--out", required=True, metavar="FILE.csv")
    p.set_defaults(func=_cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.selftest:
        args.func = _cmd_selftest
    try:
        return args.func(args)
    except FaceGateError as exc:
        print(f"facegate: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
