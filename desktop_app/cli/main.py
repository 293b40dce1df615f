"""The `facegate` command: the app by default, and the same jobs headless for scripts."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any, TextIO, TypeVar, cast

from core.errors import FaceGateError
from desktop_app.cli import actions, admin, app, audit, backup, bench, faces, kiosk, people, records, reports, settings

EXIT_STATUS = """exit status: 0 done (compare: same person); 1 a negative answer (compare: different people;
unlock: nobody recognised in time; checkin --once: the source ended first); 2 a problem you can fix,
said on one `facegate: ...` line; 3 an internal error, a bug to report (FACEGATE_DEBUG=1 shows the
traceback); 130 interrupted; 141 standard output was closed early (a pipe's reader such as head quit)."""
# 128 + SIGPIPE: what a shell shows for a Unix tool stopped by a closed pipe.
EXIT_PIPE = 141
T = TypeVar("T")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="facegate", description=__doc__, epilog=EXIT_STATUS, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument(
        "--model", help="ONNX embedding model(s), comma-separated (default: FACEGATE_MODEL, else the bundled student)"
    )
    parser.add_argument(
        "--verifier",
        help="the model that checks every verdict (default: FACEGATE_VERIFIER, else the bundled EdgeFace-XS)",
    )
    parser.add_argument("--no-verifier", action="store_true", help="no verifier: the student decides alone")
    parser.add_argument("--camera", metavar="SRC", help="camera number, URL, video file or folder of images")
    parser.add_argument("--fullscreen", action="store_true", help="open the app as a full-screen kiosk")
    parser.add_argument("--selftest", action="store_true", help="check this install without camera or display")
    parser.set_defaults(func=app.app)
    sub = parser.add_subparsers(dest="command")
    # In the order --help lists them.
    for add in (
        faces.add_detect,
        faces.add_compare,
        bench.add_bench,
        faces.add_liveness,
        people.add_enroll,
        people.add_people,
        kiosk.add_checkin,
        kiosk.add_unlock,
        records.add_attendance,
        reports.add_report,
        audit.add_audit,
        settings.add_settings,
        admin.add_admin,
        backup.add_backup,
        backup.add_restore,
        actions.add_action,
    ):
        add(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("facegate")
    except PackageNotFoundError:  # run from a source tree or a frozen build without the package's metadata
        return "(version unknown: not installed)"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    # Positionals after an option (enroll NAME --group staff IMG) are left over by argparse, which
    # takes each positional once; a command naming its positional_tail takes them as more of it.
    args, extra = parser.parse_known_args(argv)
    tail = getattr(args, "positional_tail", None)
    if extra:
        if tail is None or any(word.startswith("-") for word in extra):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        getattr(args, tail).extend(extra)
    if args.selftest:
        args.func = app.selftest
    stdout = sys.stdout
    sys.stdout = cast(TextIO, _StandardOutput(stdout))
    try:
        code = args.func(args)
        # Output still buffered meets a full disk or a closed pipe here, where it can be reported.
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader of our output has quit: stop quietly, as Unix tools do.
        _discard_standard_output()
        return EXIT_PIPE
    except FaceGateError as exc:
        print(f"facegate: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        return _internal_error(exc)
    finally:
        sys.stdout = stdout


def _internal_error(exc: Exception) -> int:
    # The one place an unforeseen error meets the user: one line, not a traceback.
    if os.environ.get("FACEGATE_DEBUG"):
        raise exc
    print(f"facegate: internal error ({type(exc).__name__}: {exc}); FACEGATE_DEBUG=1 shows where", file=sys.stderr)
    return 3


class _StandardOutput:
    """sys.stdout, with its own write failures (a full disk or a failing device under it) told apart
    from any other OSError, as one `facegate:` line; a closed pipe stays a BrokenPipeError."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def write(self, text: str) -> int:
        return self._guarded(self._stream.write, text)

    def flush(self) -> None:
        self._guarded(self._stream.flush)

    def _guarded(self, call: Callable[..., T], *args: Any) -> T:
        try:
            return call(*args)
        except BrokenPipeError:
            raise
        except OSError as exc:
            _discard_standard_output()
            raise FaceGateError(f"cannot write to standard output: {exc.strerror or exc}") from exc


def _discard_standard_output() -> None:
    """What is still buffered for standard output goes nowhere: Python would otherwise try again at
    exit and print an 'Exception ignored' report after our one line."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):  # a stream with no descriptor (a test's capture) is not flushed at exit
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
