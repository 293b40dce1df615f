"""`facegate bench`: per-stage latency (`bench stages`, what `bench` alone runs), detector recall
(`bench recall DIR`), liveness error rates (`bench pad DIR`) and many kiosks on one database
(`bench site DIR`).

The flags that used to pick a benchmark (`bench --recall DIR`, `bench --pad DIR`, `bench --kiosks N`)
still work, with a note on stderr naming the subcommand.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.errors import FaceGateError
from desktop_app.cli import site_bench
from desktop_app.cli.common import pad_model
from desktop_app.cli.options import folder, min_face, number, pad_options

# The photo the default 640x480 test frame is built from (assets/samples), and the group photo
# (six faces) the frame of VERDICT_FACES faces is.
SAMPLE_PHOTO = "Tom_Hanks_54745.png"
GROUP_PHOTO = "t1.jpg"
VERDICT_FACES = 5


def add_bench(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bench",
        parents=[pad_options()],
        help="per-stage latency; `bench recall|pad|site DIR ...` for detector recall, liveness error rates "
        "or the site benchmark",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _stage_options(p, defaults=True)
    _old_spellings(p)
    p.set_defaults(func=_bench)
    benches = p.add_subparsers(title="benchmarks", metavar="{stages,recall,pad,site}")

    s = benches.add_parser(
        "stages", parents=[pad_options(defaults=False)], help="per-stage latency at 1 and 2 threads (the default)"
    )
    _stage_options(s, defaults=False)
    s.set_defaults(func=stages)

    r = benches.add_parser("recall", help="detector recall: how many one-face photos have their face found")
    r.add_argument("folder", metavar="DIR", type=folder, help="folder of one-face photos (LFW), searched recursively")
    r.add_argument("--min-face", type=min_face, default=20, help="smallest face side in pixels (default 20)")
    r.set_defaults(func=recall)

    d = benches.add_parser(
        "pad", parents=[pad_options(defaults=False)], help="liveness: APCER per attack type and BPCER"
    )
    d.add_argument("folder", metavar="DIR", type=folder, help="DIR/<set>/<live|print|replay|...>/ frames")
    d.set_defaults(func=pad)

    t = benches.add_parser(
        "site",
        help="many kiosk processes on one database",
        description=site_bench.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    t.add_argument(
        "folder",
        metavar="DIR",
        type=folder,
        help="the faces to enrol and walk past the kiosks: one folder of two or more .jpg photos per person, "
        "as in LFW's images folder",
    )
    t.add_argument("--model", default=argparse.SUPPRESS, help="embedding model")
    _site_options(t, required=True)
    t.set_defaults(func=site)


def _stage_options(p: argparse.ArgumentParser, defaults: bool) -> None:
    """Given on `bench` and on `bench stages`; the subcommand's copies leave what `bench` parsed alone."""
    p.add_argument("--model", default=argparse.SUPPRESS, help="embedding model")
    p.add_argument(
        "--verifier",
        default=argparse.SUPPRESS,
        help="the verifier to time (default: FACEGATE_VERIFIER, else the bundled EdgeFace-XS)",
    )
    p.add_argument(
        "--photo", default=None if defaults else argparse.SUPPRESS, help="photo to build the 640x480 test frame from"
    )
    p.add_argument(
        "--repeats",
        type=number(int, 1),
        default=50 if defaults else argparse.SUPPRESS,
        help="timed runs per stage; the median is printed (default 50)",
    )


def _site_options(p: argparse.ArgumentParser, required: bool) -> None:
    hidden = not required  # the old spelling's, on `bench` itself
    p.add_argument(
        "--kiosks",
        type=number(int, 1),
        metavar="N",
        required=required,
        help=argparse.SUPPRESS if hidden else "run N kiosk processes",
    )
    p.add_argument(
        "--db",
        metavar="URL",
        required=required,
        help=argparse.SUPPRESS if hidden else "an empty database for the site's kiosks",
    )
    p.add_argument(
        "--people",
        type=number(int, 1),
        default=200,
        help=argparse.SUPPRESS if hidden else "enrolled people walking past every kiosk (default 200)",
    )
    p.add_argument(
        "--kill",
        action="store_true",
        help=argparse.SUPPRESS if hidden else "SIGKILL one kiosk mid-run, then restart it",
    )
    p.add_argument(
        "--cut-db",
        type=number(float, 0),
        default=0.0,
        metavar="S",
        help=argparse.SUPPRESS
        if hidden
        else "take the database away for S seconds (PostgreSQL: from one kiosk; SQLite: from all)",
    )


def _old_spellings(p: argparse.ArgumentParser) -> None:
    p.add_argument("--recall", metavar="DIR", type=folder, help=argparse.SUPPRESS)
    p.add_argument("--recall-min-face", type=min_face, default=20, help=argparse.SUPPRESS)
    p.add_argument("--pad", metavar="DIR", type=folder, help=argparse.SUPPRESS)
    _site_options(p, required=False)


def _bench(args: argparse.Namespace) -> int:
    """`bench` with no subcommand: the stage timings, unless a flag names a benchmark the old way."""
    if args.kiosks:
        _moved("`bench --kiosks N` is now `bench site DIR --kiosks N`")
        raise FaceGateError(
            "the site benchmark needs its folder of faces: facegate bench site DIR --kiosks N --db URL "
            "(DIR: one folder of photos per person, as LFW's images)"
        )
    if args.pad:
        _moved("`bench --pad DIR` is now `bench pad DIR`")
        return _pad_rates(args.pad, args)
    if args.recall:
        _moved("`bench --recall DIR` is now `bench recall DIR` (and --recall-min-face its --min-face)")
        return _recall(args.recall, args.recall_min_face)
    return stages(args)


def _moved(note: str) -> None:
    print(f"facegate: {note}", file=sys.stderr)


def stages(args: argparse.Namespace) -> int:
    from core.benchmark import VERDICT_MIN_FACE, bench_stages, bench_verdict_frame, frame_640x480
    from core.kiosk.evidence import VERIFIER_FRAMES
    from core.paths import samples_dir
    from core.vision.imaging import load_image
    from core.vision.pipeline import model_spec, verifier_spec

    photo = Path(args.photo) if args.photo else samples_dir() / SAMPLE_PHOTO
    results = []
    for threads in (1, 2):
        t = bench_stages(photo, Path(model_spec(args.model)), threads, args.repeats, pad=pad_model(args, threads))
        results.append(t)
        print(
            f"threads={threads} decode_ms={t.decode_ms:.2f} detect_ms={t.detect_ms:.2f} "
            f"align_ms={t.align_ms:.3f} embed_ms={t.embed_ms:.2f} match_10k_ms={t.match_ms:.3f} "
            f"pad_ms={t.pad_ms:.2f} pipeline_fps={t.pipeline_fps:.1f}"
        )
    model, verifier = Path(model_spec(args.model)), Path(verifier_spec(args.verifier))
    for source, faces in ((photo, 1), (samples_dir() / GROUP_PHOTO, VERDICT_FACES)):
        cost = bench_verdict_frame(frame_640x480(load_image(source)), faces, model, verifier, 1, args.repeats)
        print(
            f"frame {faces} face{'' if faces == 1 else 's'}: verifier off {cost.off_ms:.1f} ms, on {cost.on_ms:.1f} ms "
            f"(off: detect + student on every face; on: + verifier on each face's {VERIFIER_FRAMES} best sightings, "
            f"every track's first verdict at once; threads=1 min_face={VERDICT_MIN_FACE})"
        )
    one = results[0]
    print(
        f"detect_ms={one.detect_ms:.1f} embed_ms={one.embed_ms:.1f} pad_ms={one.pad_ms:.1f} "
        f"pipeline_fps={one.pipeline_fps:.1f}"
    )
    return 0


def recall(args: argparse.Namespace) -> int:
    return _recall(args.folder, args.min_face)


def _recall(photos: Path, smallest: int) -> int:
    from core.vision.detect import Detector
    from core.vision.detect_eval import centre_recall
    from core.vision.imaging import image_files

    images = image_files(photos, recursive=True)
    if not images:
        raise FaceGateError(f"the folder {photos} holds no images to measure recall on")
    hits, total = centre_recall(Detector(min_face=smallest), images)
    print(f"recall_images={total} found={hits}")
    print(f"recall={100.0 * hits / max(total, 1):.2f}")
    return 0


def pad(args: argparse.Namespace) -> int:
    return _pad_rates(args.folder, args)


def _pad_rates(frames: Path, args: argparse.Namespace) -> int:
    """APCER per attack type and BPCER (ISO/IEC 30107-3), per frame and after the temporal rule."""
    from core.benchmark import bench_pad

    report = bench_pad(frames, pad_model(args))
    print(
        f"pad_model={report.model_id} strictness={args.strictness} threshold={report.threshold:.2f} "
        f"ms_per_face={report.ms_per_face:.2f}"
    )
    for r in report.rates:
        metric = "BPCER" if r.kind == "live" else "APCER"
        # With no temporal decision a temporal rate of 0 % would be a claim about nothing.
        temporal = f"{100 * r.temporal_error:6.2f}%" if r.temporal_decisions else "    n/a"
        print(
            f"{r.kind:<8} {metric} frame={100 * r.frame_error:6.2f}% temporal={temporal} "
            f"({r.decided_groups} of {r.groups} groups decided) frames={r.frames} no_face={r.no_face} "
            f"temporal_decisions={r.temporal_decisions}"
        )
    print(
        f"apcer_max={100 * report.apcer_max:.2f} bpcer={100 * report.bpcer.temporal_error:.2f} "
        f"bpcer_frame={100 * report.bpcer.frame_error:.2f}"
    )
    return 0


def site(args: argparse.Namespace) -> int:
    from core.store import safe_url

    result = site_bench.run_site(args.db, args.folder, args.kiosks, args.people, args.model, args.kill, args.cut_db)
    mode = "kill one kiosk" if args.kill else f"database cut {args.cut_db:.0f} s" if args.cut_db else "plain"
    print(
        f"db={safe_url(args.db).split(':')[0]} kiosks={result.kiosks} people={result.walkers} "
        f"frames_per_kiosk={result.walkers * site_bench.FRAMES_PER_PERSON} mode={mode} seconds={result.seconds:.1f}"
    )
    print(
        f"frames_per_s={result.frames_per_s:.1f} events_per_s={result.events_per_s:.2f} "
        f"expected={result.walkers} stored={result.stored} not_walking={result.others}"
    )
    print(f"lost={result.lost} doubled={result.doubled}")
    return 0 if result.lost == result.doubled == 0 else 1
