"""The `facegate` command: the app by default, and the same jobs headless for scripts."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from core.errors import FaceGateError
from core.settings import STRICTNESS

EXIT_STATUS = """exit status: 0 done (compare: same person); 1 a negative answer (compare: different people;
unlock: nobody recognised in time; checkin --once: the source ended first); 2 a problem you can fix,
said on one `facegate: ...` line; 3 an internal error, a bug to report (FACEGATE_DEBUG=1 shows the
traceback); 130 interrupted."""


def _cmd_detect(args: argparse.Namespace) -> int:
    from core.vision.detect import Detector
    from core.vision.imaging import load_image

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


def _cmd_compare(args: argparse.Namespace) -> int:
    from core.matching.thresholds import recommended_threshold

    # The same pipeline as every other command, so naming the bundled model changes nothing.
    pipeline = _pipeline(args, min_face=args.min_face)
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


def _cmd_site_bench(args: argparse.Namespace) -> int:
    from core.store.facade import safe_url
    from desktop_app.site_bench import FRAMES_PER_PERSON, run_site

    if not args.db:
        raise FaceGateError("--kiosks needs --db URL: an empty database for the site's kiosks")
    result = run_site(args.db, args.kiosks, args.people, getattr(args, "model", None), args.kill, args.cut_db)
    mode = "kill one kiosk" if args.kill else f"database cut {args.cut_db:.0f} s" if args.cut_db else "plain"
    print(
        f"db={safe_url(args.db).split(':')[0]} kiosks={result.kiosks} people={result.walkers} "
        f"frames_per_kiosk={result.walkers * FRAMES_PER_PERSON} mode={mode} seconds={result.seconds:.1f}"
    )
    print(
        f"frames_per_s={result.frames_per_s:.1f} events_per_s={result.events_per_s:.2f} "
        f"expected={result.walkers} stored={result.stored} not_walking={result.others}"
    )
    print(f"lost={result.lost} doubled={result.doubled}")
    return 0 if result.lost == result.doubled == 0 else 1


def _cmd_bench(args: argparse.Namespace) -> int:
    from core.benchmark import bench_stages

    if args.kiosks:
        return _cmd_site_bench(args)
    from core.vision.pipeline import model_spec

    if args.pad:
        return _bench_pad(args)
    photo = Path(args.photo) if args.photo else _sample_photo()
    if args.recall:
        from core.vision.imaging import image_files

        # Checked before the timing runs, which take a while.
        recall_images = image_files(args.recall, recursive=True)
        if not recall_images:
            raise FaceGateError(f"the folder {args.recall} holds no images to measure recall on")
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
        from core.vision.detect import Detector
        from core.vision.detect_eval import centre_recall

        hits, total = centre_recall(Detector(min_face=args.recall_min_face), recall_images)
        print(f"recall_images={total} found={hits}")
        print(f"recall={100.0 * hits / max(total, 1):.2f}")
        return 0
    one = results[0]
    print(
        f"detect_ms={one.detect_ms:.1f} embed_ms={one.embed_ms:.1f} pad_ms={one.pad_ms:.1f} "
        f"pipeline_fps={one.pipeline_fps:.1f}"
    )
    return 0


def _pad_model(args: argparse.Namespace, threads: int = 1):
    from core.liveness.pad import PadModel

    return PadModel(getattr(args, "pad_model", None), threads=threads, strictness=args.strictness)


def _bench_pad(args: argparse.Namespace) -> int:
    """APCER per attack type and BPCER (ISO/IEC 30107-3), per frame and after the temporal rule."""
    from core.benchmark import bench_pad

    pad = _pad_model(args)
    report = bench_pad(Path(args.pad), pad)
    print(
        f"pad_model={report.model_id} strictness={args.strictness} threshold={report.threshold:.2f} "
        f"ms_per_face={report.ms_per_face:.2f}"
    )
    for r in report.rates:
        metric = "BPCER" if r.kind == "live" else "APCER"
        print(
            f"{r.kind:<8} {metric} frame={100 * r.frame_error:6.2f}% temporal={100 * r.temporal_error:6.2f}% "
            f"frames={r.frames} groups={r.groups} no_face={r.no_face} temporal_decisions={r.temporal_decisions}"
        )
    apcer = max((r.temporal_error for r in report.attacks), default=0.0)
    print(f"apcer_max={100 * apcer:.2f} bpcer={100 * report.bpcer.temporal_error:.2f}")
    return 0


def _cmd_liveness(args: argparse.Namespace) -> int:
    from core.vision.detect import Detector
    from core.vision.imaging import load_image

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
            print(
                f"{path}: face {i} box={[round(float(v)) for v in face.box]} live={live} verdict={score.verdict}"
                + (f" ({score.hint})" if score.hint else "")
            )
            all_live &= score.verdict == "live"
    return 0 if all_live else 1


def _sample_photo() -> Path:
    from core.paths import samples_dir

    return samples_dir() / "Tom_Hanks_54745.png"


def _store(read_only: bool = False):
    from core.store.facade import Store

    return Store.for_reading() if read_only else Store()


def _pipeline(args: argparse.Namespace, min_face: int | None = None):
    from core.vision.detect import Detector
    from core.vision.embed import load_embedder
    from core.vision.pipeline import FacePipeline, model_spec

    detector = Detector() if min_face is None else Detector(min_face=min_face)
    return FacePipeline(detector, load_embedder(model_spec(args.model)))


def _require_pin(store) -> None:
    """Commands that change people or export attendance take the admin PIN once one is set:
    FACEGATE_ADMIN_PIN for scripts, else asked for without echo."""
    import getpass

    from core.store.pin import check_pin

    if store.load_settings().admin_pin_hash is None:
        return
    pin = os.environ.get("FACEGATE_ADMIN_PIN")
    if pin is None:
        if not sys.stdin.isatty():
            raise FaceGateError("an admin PIN is set: type it at a terminal, or set FACEGATE_ADMIN_PIN for scripts")
        pin = getpass.getpass("Admin PIN: ")
    check_pin(store, pin, actor="cli")


def _person_by_id(store, person_id: int):
    person = store.get_person(person_id)
    if person is None:
        raise FaceGateError(f"there is no person #{person_id}: see facegate people")
    return person


def _cmd_enroll(args: argparse.Namespace) -> int:
    from core.enrol.enroller import Enroller

    images = args.images
    if args.person_id is None and not images:
        raise FaceGateError("give the person's NAME and at least one photo: facegate enroll NAME IMG...")
    with _store() as store:
        _require_pin(store)
        if args.person_id is not None:  # then every positional argument is a photo
            images = [args.name, *images]
            name = _person_by_id(store, args.person_id).name
        else:
            name = args.name
        result = Enroller(store, _pipeline(args)).enroll_photos(
            name, images, group=args.group, external_id=args.external_id, person_id=args.person_id
        )
    for outcome in result.outcomes:
        print(f"{outcome.path}: {'ok' if outcome.ok else outcome.reason}")
    for match in result.duplicates:
        print(f"warning: {name} already looks like {match.name} (similarity {match.similarity:.2f})", file=sys.stderr)
    verb = "enrolled" if result.created else "added to"
    print(f"{verb} {result.person.name} (#{result.person.id}): {len(result.template_ids)} templates")
    return 0


def _cmd_people(args: argparse.Namespace) -> int:
    from core.vision.embed import load_embedder
    from core.vision.pipeline import model_spec

    with _store(read_only=True) as store:
        people = store.list_people(include_inactive=True)
        stale = {t.person_id for t in store.stale_templates(load_embedder(model_spec(args.model)).model_id)}
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
    from core.kiosk.kiosk import Kiosk
    from desktop_app.capture import open_source

    checked_in = False
    frames = 0
    last_error = None
    with _store() as store:
        kiosk = Kiosk(store, _pipeline(args))
        try:
            with open_source(_camera(args, store), realtime=args.realtime) as source:
                start = time.perf_counter()
                for frame in source:
                    result = kiosk.process(frame)
                    frames += 1
                    if result.error and result.error != last_error:  # once, not every frame while offline
                        print(f"facegate: {result.error}", file=sys.stderr)
                    last_error = result.error
                    for event in result.events:
                        # Printed only once the Store has committed it: a script may rely on the line.
                        print(_describe(event), flush=True)
                        checked_in = True
                    if args.once and checked_in:
                        break
        except KeyboardInterrupt:
            pass
    if args.stats and frames:
        print(kiosk.thresholds.describe())
        print(f"fps={frames / max(time.perf_counter() - start, 1e-9):.1f}")
    return 1 if args.once and not checked_in else 0


def _cmd_unlock(args: argparse.Namespace) -> int:
    from core.kiosk.kiosk import Kiosk, unlock_people
    from desktop_app.capture import open_source

    deadline = time.monotonic() + args.timeout
    with _store() as store:
        kiosk = Kiosk(store, _pipeline(args), unlock_for=unlock_people(store, args.person, args.person_id))
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
    chosen = args.person or (f"#{args.person_id}" if args.person_id is not None else None)
    who = f"{chosen} was not" if chosen else "no member of the 'admin' group was"
    print(f"not unlocked: {who} recognised, judged live and seen turning as asked in time", file=sys.stderr)
    return 1


def _cmd_export(args: argparse.Namespace) -> int:
    from core.days import day_range

    if args.end < args.start:
        raise FaceGateError("--to is before --from")
    to_stdout = args.out == "-"
    with _store(read_only=True) as store:
        _require_pin(store)
        if to_stdout:
            count = store.write_csv(sys.stdout, *day_range(args.start, args.end))
        else:
            count = store.export_csv(args.out, *day_range(args.start, args.end))
    # With --out -, standard output is the CSV alone.
    print(
        f"wrote {count} event{'' if count == 1 else 's'} to {'standard output' if to_stdout else args.out}",
        file=sys.stderr if to_stdout else sys.stdout,
    )
    return 0


def _cmd_app(args: argparse.Namespace) -> int:
    # Without a display Qt aborts the process (exit 134) with a message about plugins.
    no_display = not any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))
    if sys.platform.startswith("linux") and no_display:
        raise FaceGateError(
            "no display to show the app on (DISPLAY is not set): run it on the kiosk's desktop, or use "
            "a command such as `facegate checkin` or `facegate --selftest` (see facegate --help)"
        )
    from desktop_app.gui.app import run_app

    return run_app(camera=args.camera, fullscreen=args.fullscreen, model=args.model)


def _cmd_selftest(args: argparse.Namespace) -> int:
    from desktop_app.selftest import run_selftest

    return 0 if run_selftest() else 1


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-01-31") from None


def _number(kind: type, low: float, high: float = math.inf) -> Callable[[str], float]:
    """An argparse type: a finite int or float within [low, high]."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {'a whole number' if kind is int else 'a number'}"
            ) from None
        if not math.isfinite(value) or not low <= value <= high:
            bounds = f"at least {low:g}" if high == math.inf else f"between {low:g} and {high:g}"
            raise argparse.ArgumentTypeError(f"{text!r} is out of range: it must be {bounds}")
        return value

    return parse


def _label(what: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        from core.store.labels import clean_label

        try:
            return clean_label(text, what)
        except FaceGateError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def _drawing(text: str) -> Path:
    from core.vision.imaging import IMAGE_SUFFIXES

    path = Path(text)
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise argparse.ArgumentTypeError(f"{text!r} needs an image suffix ({', '.join(sorted(IMAGE_SUFFIXES))})")
    return path


def _folder(text: str) -> Path:
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is not a folder")
    return path


def _min_face(text: str) -> int:
    from core.vision.detect import PNET_WINDOW  # the smallest face the detector's first stage can see

    return int(_number(int, PNET_WINDOW, 100_000)(text))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="facegate", description=__doc__, epilog=EXIT_STATUS, formatter_class=argparse.RawDescriptionHelpFormatter
    )
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
    camera.add_argument(
        "--camera",
        metavar="SRC",
        default=argparse.SUPPRESS,
        help="camera number, URL, video file or folder (default: the Settings camera)",
    )
    camera.add_argument("--realtime", action="store_true", help="play files and folders at their own frame rate")
    pad = argparse.ArgumentParser(add_help=False)
    pad.add_argument(
        "--pad-model",
        metavar="SPEC",
        help="liveness model (default: the bundled pad.onnx); PATH@SCALE for a reference model "
        "without metadata, several joined by commas to average them",
    )
    pad.add_argument(
        "--strictness",
        choices=STRICTNESS,
        default="normal",
        help="which of the model's liveness thresholds to use (default normal)",
    )

    p = sub.add_parser("detect", help="find faces and print them as JSON")
    p.add_argument("images", nargs="+")
    p.add_argument("--draw", metavar="OUT.png", type=_drawing, help="write the image with boxes and landmarks")
    p.add_argument("--min-face", type=_min_face, default=20, help="smallest face side in pixels (default 20)")
    p.set_defaults(func=_cmd_detect)

    p = sub.add_parser("compare", help="are two photos the same person? exit 0 if same, 1 if not")
    p.add_argument("image1")
    p.add_argument("image2")
    p.add_argument("--model", default=argparse.SUPPRESS, help="ONNX embedding model(s), comma-separated")
    p.add_argument("--threshold", type=_number(float, -1, 1), help="override the model's recommended threshold")
    p.add_argument("--min-face", type=_min_face, default=20)
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser(
        "bench",
        parents=[pad],
        help="per-stage latency; with --recall DIR, detector recall; with --pad DIR, liveness error rates",
    )
    p.add_argument("--model", default=argparse.SUPPRESS, help="embedding model")
    p.add_argument("--photo", help="photo to build the 640x480 test frame from")
    p.add_argument("--repeats", type=_number(int, 1), default=50)
    p.add_argument("--recall", metavar="DIR", type=_folder, help="folder of one-face photos (LFW) to measure recall on")
    p.add_argument("--recall-min-face", type=_min_face, default=20)
    p.add_argument(
        "--pad",
        metavar="DIR",
        type=_folder,
        help="DIR/<set>/<live|print|replay|...>/ frames: APCER per attack type, BPCER",
    )
    site = p.add_argument_group("site benchmark: many kiosk processes on one database")
    site.add_argument(
        "--kiosks", type=_number(int, 1), metavar="N", help="run N kiosk processes (needs --db and ../shared LFW)"
    )
    site.add_argument("--db", metavar="URL", help="an empty database for the site benchmark")
    site.add_argument(
        "--people", type=_number(int, 1), default=200, help="enrolled people walking past every kiosk (default 200)"
    )
    site.add_argument("--kill", action="store_true", help="SIGKILL one kiosk mid-run, then restart it")
    site.add_argument(
        "--cut-db",
        type=_number(float, 0),
        default=0.0,
        metavar="S",
        help="take the database away for S seconds (PostgreSQL: from one kiosk; SQLite: from all)",
    )
    p.set_defaults(func=_cmd_bench)

    p = sub.add_parser("liveness", parents=[pad], help="live score and verdict of each face; exit 0 if all are live")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.set_defaults(func=_cmd_liveness)

    p = sub.add_parser(
        "enroll",
        parents=[model],
        help="enrol a person from photos (adds to them if NAME exists); asks for the admin PIN once one is set",
        epilog="With --person-id ID, give only photos: facegate enroll --person-id 7 IMG...",
    )
    p.add_argument("name", metavar="NAME", type=_label("name"))
    p.add_argument("images", nargs="*", metavar="IMG")
    p.add_argument(
        "--person-id", type=_number(int, 1), metavar="ID", help="add the photos to person ID (see facegate people)"
    )
    p.add_argument("--group", type=_label("group"))
    p.add_argument("--external-id", type=_label("external id"))
    p.set_defaults(func=_cmd_enroll)

    p = sub.add_parser("people", parents=[model], help="list the enrolled people")
    p.set_defaults(func=_cmd_people)

    p = sub.add_parser("checkin", parents=[model, camera], help="headless kiosk: print each check-in as it is stored")
    p.add_argument(
        "--once", action="store_true", help="exit after the first check-in (exit 1 if the source ends first)"
    )
    p.add_argument("--stats", action="store_true", help="print the thresholds used, then fps=N.N as the last line")
    p.set_defaults(func=_cmd_checkin)

    p = sub.add_parser("unlock", parents=[model, camera], help="exit 0 once PERSON is recognised, 1 otherwise")
    p.add_argument("--person", type=_label("name"), help="who may unlock (default: anyone in the 'admin' group)")
    p.add_argument(
        "--person-id", type=_number(int, 1), metavar="ID", help="who may unlock, by id (see facegate people)"
    )
    p.add_argument(
        "--timeout", type=_number(float, 0.1), default=10.0, metavar="S", help="give up after S seconds (default 10)"
    )
    p.set_defaults(func=_cmd_unlock)

    p = sub.add_parser("attendance", help="attendance records")
    records = p.add_subparsers(dest="action", required=True)
    p = records.add_parser("export", help="write the events of a date range as CSV")
    p.add_argument("--from", dest="start", type=_day, required=True, metavar="DATE")
    p.add_argument("--to", dest="end", type=_day, required=True, metavar="DATE", help="inclusive")
    p.add_argument("--out", required=True, metavar="FILE.csv", help="the CSV file to write, or - for standard output")
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
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # The one place an unforeseen error meets the user: one line, not a traceback.
        if os.environ.get("FACEGATE_DEBUG"):
            raise
        print(f"facegate: internal error ({type(exc).__name__}: {exc}); FACEGATE_DEBUG=1 shows where", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
