"""Every CLI command fed bad input: a one-line `facegate: ...` error and exit 2 (or the documented
result), never a traceback, always in bounded time, and the database left as it was.

The corpus is made at test time. Cases run in groups, each group in one fresh process that calls
the CLI's main() once per case with file descriptors 1 and 2 captured, so OpenCV's and FFmpeg's
own printing is caught as well as Python's. Cases that must start the real executable (the app
without a display, the first-import warnings) get processes of their own.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import struct
import subprocess
import sys
import zlib
from datetime import datetime, timezone
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.fixtures import ROOT, read_only

SAMPLES = ROOT / "assets" / "samples"
MODELS = ROOT / "assets" / "models"
# Per case, and for a whole group's process (a hang would otherwise stall the suite).
CASE_LIMIT_S = 30
GROUP_LIMIT_S = 600
RENAMED = re.compile(r"facegate: `[^`]+` is now `[^`]+`")

DRIVER = r"""
import json, os, sys, tempfile, time, traceback
from desktop_app.cli import main

results = []
for argv in json.loads(sys.argv[1]):
    sys.stdout.flush(); sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        os.dup2(out.fileno(), 1); os.dup2(err.fileno(), 2)
        start = time.monotonic()
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
        except BaseException:
            traceback.print_exc()
            code = "raised"
        sys.stdout.flush(); sys.stderr.flush()
        seconds = time.monotonic() - start
        os.dup2(saved[0], 1); os.dup2(saved[1], 2)
        os.close(saved[0]); os.close(saved[1])
        out.seek(0); err.seek(0)
        results.append({"argv": argv, "code": code, "seconds": seconds,
                        "out": out.read().decode(errors="replace"), "err": err.read().decode(errors="replace")})
print(json.dumps(results))
"""


# --------------------------------------------------------------------------------------- the corpus


def _png_header_only(path: Path, width: int, height: int) -> None:
    """A PNG that declares width x height: the header a decoder sizes its buffer from, then a
    little data. Refusing it must not need the rest."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    idat = zlib.compress(b"\x00" * 4096)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
        + struct.pack(">I", len(idat))
        + b"IDAT"
        + idat
        + struct.pack(">I", zlib.crc32(b"IDAT" + idat))
    )


def _big_png(path: Path, side: int) -> None:
    """A real side x side black PNG, compressed in pieces so making it needs little memory (the
    issue's 20000 x 20000 one is 430 KB on disk and 1.2 GB decoded)."""
    row = b"\x00" + b"\x00" * (3 * side)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    from PIL import Image

    d = tmp_path_factory.mktemp("corpus")
    portrait = cv2.imread(str(SAMPLES / "Tom_Hanks_54745.png"))
    files: dict[str, Path] = {"dir": d, "portrait": SAMPLES / "Tom_Hanks_54745.png"}

    def put(name: str, data: bytes) -> Path:
        files[name] = d / name
        files[name].write_bytes(data)
        return files[name]

    jpeg = cv2.imencode(".jpg", portrait)[1].tobytes()
    png = cv2.imencode(".png", portrait)[1].tobytes()
    put("empty.jpg", b"")
    put("text.jpg", b"this is not an image\n" * 10)
    put("random.png", np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    put("truncated.jpg", jpeg[: len(jpeg) // 2])
    put("truncated.png", png[: len(png) // 2])
    put("header-only.jpg", jpeg[:20])
    _big_png(d / "huge.png", 20000)
    files["huge.png"] = d / "huge.png"
    _png_header_only(d / "liar.png", 60000, 60000)
    files["liar.png"] = d / "liar.png"
    put("one-pixel.png", cv2.imencode(".png", np.zeros((1, 1, 3), np.uint8))[1].tobytes())
    put("deep.png", cv2.imencode(".png", portrait.astype(np.uint16) * 257)[1].tobytes())
    put("alpha.png", cv2.imencode(".png", cv2.cvtColor(portrait, cv2.COLOR_BGR2BGRA))[1].tobytes())
    rgb = Image.fromarray(cv2.cvtColor(portrait, cv2.COLOR_BGR2RGB))
    rgb.convert("CMYK").save(d / "cmyk.jpg")
    files["cmyk.jpg"] = d / "cmyk.jpg"
    put("noface.jpg", cv2.imencode(".jpg", np.full((480, 640, 3), 90, np.uint8))[1].tobytes())
    # Odd but valid names: spaces, non-ASCII, a leading dash (after `--`), a newline.
    for odd in ("with space.png", "名前 é.png", "-dash.png", "new\nline.png"):
        put(odd, png)
    fifo = d / "pipe.jpg"
    os.mkfifo(fifo)
    files["fifo"] = fifo
    (d / "folder.jpg").mkdir()
    files["folder.jpg"] = d / "folder.jpg"
    (d / "empty-folder").mkdir()
    files["empty-folder"] = d / "empty-folder"
    files["missing"] = d / "nothere.jpg"
    return files


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """A FACEGATE_HOME with one person enrolled and one check-in, so every command has data to lose."""
    from core.store import Store
    from core.types import CHECK_IN, Event

    home = tmp_path_factory.mktemp("home")
    with Store(f"sqlite:///{home / 'facegate.db'}") as store:
        person = store.enrol(
            np.ones(4, np.float32) / 2, "m", "1", 0.9, "photo", name="Tom Hanks", external_id="E-1", group="admin"
        ).person
        store.record_event(Event(person.id, person.name, datetime.now(timezone.utc), CHECK_IN, 0.9, "kiosk-1"))
    return home


def _dump(home: Path) -> list[str]:
    with sqlite3.connect(home / "facegate.db") as db:
        return list(db.iterdump())


def run_group(cases: list[list[str]], home: Path, check_unchanged: bool = True, **env: str) -> list[dict]:
    """check_unchanged=False: the caller compares the database itself (one in a read-only folder
    cannot be opened to dump while in WAL mode without its shared-memory file)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("FACEGATE_MODEL", "FACEGATE_DB")}
    environ.update(FACEGATE_HOME=str(home), PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen", **env)
    before = _dump(home) if check_unchanged else None
    result = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(cases)],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=GROUP_LIMIT_S,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    if check_unchanged:
        assert _dump(home) == before, "a command changed the database"
    return json.loads(result.stdout)


def check(outcome: dict, code: int, message: str | None = None) -> None:
    """Exit `code`; with code 2, one `facegate: ...` line holding `message`; never a traceback or
    more than that line on stderr (no library noise)."""
    where = (
        f"{outcome['argv']} -> {outcome['code']}\nstdout: {outcome['out'][-1500:]}\nstderr: {outcome['err'][-3000:]}"
    )
    assert outcome["code"] == code, where
    assert "Traceback" not in outcome["out"] + outcome["err"], where
    assert outcome["seconds"] < CASE_LIMIT_S, where
    if code == 2:
        lines = [line for line in outcome["err"].splitlines() if line.strip()]
        assert lines and lines[-1].startswith("facegate"), where
        # An old spelling's note (`bench --recall DIR` is now ...) may come first: it is not an error.
        error_lines = [line for line in lines if not line.startswith(("usage:", " ")) and not RENAMED.match(line)]
        assert len(error_lines) == 1, where
        if message:
            assert message.lower() in outcome["err"].lower(), where


# ------------------------------------------------------------------------------------------ images


def test_detect_refuses_what_is_not_an_image_and_reads_every_real_kind(corpus, home):
    c = corpus
    bad = {
        "/dev/zero": "not a regular file",
        str(c["fifo"]): "not a regular file",
        str(c["folder.jpg"]): "is a directory",
        str(c["missing"]): "nothere.jpg",
        str(c["empty.jpg"]): "empty",
        str(c["text.jpg"]): "not a jpeg, png",
        str(c["random.png"]): "not a jpeg, png",
        str(c["truncated.jpg"]): "truncated.jpg",
        str(c["truncated.png"]): "truncated.png",
        str(c["header-only.jpg"]): "header-only.jpg",
        str(c["huge.png"]): "megapixels",
        str(c["liar.png"]): "megapixels",
    }
    good = ["one-pixel.png", "deep.png", "alpha.png", "cmyk.jpg", "with space.png", "名前 é.png", "new\nline.png"]
    cases = [["detect", path] for path in bad]
    cases += [["detect", "--json", str(c[name])] for name in good]
    cases += [["detect", "--json", "--", str(c["-dash.png"])]]
    outcomes = run_group(cases, home)
    for outcome, message in zip(outcomes, bad.values()):
        check(outcome, 2, message)
    for outcome, name in zip(outcomes[len(bad) :], [*good, "-dash.png"]):
        check(outcome, 0)
        faces = json.loads(outcome["out"])["faces"]
        assert len(faces) == (0 if name == "one-pixel.png" else 1), (name, faces)


# ----------------------------------------------------------------------------------- option values


def test_option_values_are_checked_before_any_work(corpus, home, tmp_path):
    portrait = str(corpus["portrait"])
    cases = {
        ("detect", portrait, "--min-face", "0"): "--min-face",
        ("detect", portrait, "--min-face", "-5"): "--min-face",
        ("detect", portrait, "--draw", str(tmp_path / "out.txt")): "--draw",
        ("detect", portrait, "--draw", str(tmp_path / "no" / "such" / "out.png")): "cannot write",
        ("compare", portrait, portrait, "--threshold", "nan"): "--threshold",
        ("compare", portrait, portrait, "--threshold", "1.5"): "--threshold",
        ("compare", portrait, portrait, "--min-face", "0"): "--min-face",
        ("compare", str(corpus["noface.jpg"]), portrait): "no face found",
        ("compare", portrait, str(corpus["text.jpg"])): "text.jpg",
        ("bench", "--repeats", "0"): "--repeats",
        ("bench", "--repeats", "3", "--photo", str(corpus["noface.jpg"])): "no face found",
        ("bench", "--repeats", "3", "--photo", "/dev/zero"): "not a regular file",
        ("bench", "--repeats", "3", "--recall", str(tmp_path / "nope")): "nope",
        ("bench", "--repeats", "3", "--recall", str(corpus["empty-folder"])): "no images",
        ("bench", "stages", "--repeats", "0"): "--repeats",
        ("bench", "recall", str(tmp_path / "nope")): "nope",
        ("bench", "recall", str(corpus["empty-folder"])): "no images",
        ("bench", "pad", str(tmp_path / "nope")): "nope",
        ("bench", "site", str(corpus["empty-folder"]), "--db", "sqlite://"): "--kiosks",
        ("bench", "site", str(corpus["empty-folder"]), "--kiosks", "0", "--db", "sqlite://"): "--kiosks",
        ("bench", "site", str(corpus["empty-folder"]), "--kiosks", "2"): "--db",
        ("unlock", "--timeout", "nan"): "--timeout",
        ("unlock", "--timeout", "-1"): "--timeout",
        ("attendance", "export", "--from", "2025-13-45", "--to", "2025-01-01", "--out", "x.csv"): "--from",
        ("attendance", "export", "--from", "2025-02-01", "--to", "2025-01-01", "--out", "x.csv"): "before",
        ("attendance", "export", "--from", "2025-01-01", "--to", "2025-01-02", "--out", str(tmp_path)): "cannot write",
        (
            "attendance",
            "export",
            "--from",
            "2025-01-01",
            "--to",
            "2025-01-02",
            "--out",
            str(tmp_path / "no" / "x.csv"),
        ): "cannot write",
        ("no-such-command",): "invalid choice",
    }
    for outcome, message in zip(run_group([list(argv) for argv in cases], home), cases.values()):
        check(outcome, 2, message)


def test_models_that_are_not_embedders_are_refused(corpus, home, tmp_path):
    portrait = str(corpus["portrait"])
    (tmp_path / "text.onnx").write_text("not a model")
    models = {
        str(MODELS / "mtcnn_onet.onnx"): "not a face-embedding model",
        str(tmp_path): "not a model file",
        str(tmp_path / "missing.onnx"): "missing.onnx",
        str(tmp_path / "text.onnx"): "cannot load",
    }
    cases = [["compare", portrait, portrait, "--model", model] for model in models]
    cases += [["--model", str(MODELS / "mtcnn_onet.onnx"), "people"]]
    outcomes = run_group(cases, home)
    for outcome, message in zip(outcomes, [*models.values(), "not a face-embedding model"]):
        check(outcome, 2, message)


# ------------------------------------------------------------------------------- names and cameras


def test_names_and_camera_sources_that_cannot_work(corpus, home):
    portrait = str(corpus["portrait"])
    cases = {
        ("enroll", "Line\nBreak", portrait): "control character",
        ("enroll", "Tab\tName", portrait): "control character",
        ("enroll", "   ", portrait): "needs a name",
        ("enroll", "x" * 201, portrait): "at most 200",
        ("enroll", "Ok Name", portrait, "--group", "a\nb"): "control character",
        ("enroll", "Ok Name", str(corpus["text.jpg"])): "could be used",
        ("checkin", "--once", "--camera", ""): "no camera source",
        ("checkin", "--once", "--camera", "   "): "no camera source",
        ("checkin", "--once", "--camera", str(corpus["text.jpg"])): "text.jpg",
        ("checkin", "--once", "--camera", str(corpus["fifo"])): "pipe.jpg",
        ("checkin", "--once", "--camera", "/dev/zero"): "/dev/zero",
        ("checkin", "--once", "--camera", "97"): "camera 97",
        ("checkin", "--once", "--camera", str(corpus["empty-folder"])): "holds no images",
        ("unlock", "--timeout", "1", "--camera", str(corpus["missing"])): "nothere.jpg",
    }
    for outcome, message in zip(run_group([list(argv) for argv in cases], home), cases.values()):
        check(outcome, 2, message)


def test_camera_and_database_passwords_never_reach_the_error_line(home):
    # One line each: FFmpeg's own `[tcp @ 0x...]` line must not come first either (check counts lines).
    cameras = run_group(
        [
            ["checkin", "--once", "--camera", "rtsp://admin:S3cretPW@127.0.0.1:1/stream"],
            ["checkin", "--once", "--camera", "http://u:S3cretPW@127.0.0.1:1/v?token=T0kenPW"],
        ],
        home,
    )
    databases = [
        run_group([["people"]], home, FACEGATE_DB=url)[0]
        for url in (
            "postgresql://u:Pa@ssW0rd@127.0.0.1:1/db",
            "postgresql://u@127.0.0.1:1/db?password=Pa55W0rd&sslmode=disable",
        )
    ]
    for outcome in cameras + databases:
        check(outcome, 2, "127.0.0.1")
        for secret in ("S3cretPW", "T0kenPW", "ssW0rd", "Pa55W0rd"):
            assert secret not in outcome["out"] + outcome["err"], outcome


# ---------------------------------------------------------------------------------- attendance CSV


def test_export_takes_any_date_range_and_standard_output(home, tmp_path):
    out = tmp_path / "all.csv"
    cases = [
        ["attendance", "export", "--from", "0001-01-01", "--to", "0001-01-02", "--out", str(tmp_path / "old.csv")],
        ["attendance", "export", "--from", "2000-01-01", "--to", "9999-12-31", "--out", str(out)],
        ["attendance", "export", "--from", "0001-01-01", "--to", "9999-12-31", "--out", "-"],
    ]
    old, everything, stdout = run_group(cases, home)
    for outcome in (old, everything, stdout):
        check(outcome, 0)
    assert "wrote 0 events" in old["out"]
    assert out.read_text(encoding="utf-8-sig").count("Tom Hanks") == 1
    assert stdout["out"].count("Tom Hanks") == 1 and "wrote 1 event to standard output" in stdout["err"]
    assert not (ROOT / "-").exists()


def test_read_only_home_still_serves_read_only_jobs(home, tmp_path):
    before = _dump(home)
    with read_only(home):
        people, export, enrol = run_group(
            [
                ["people"],
                [
                    "attendance",
                    "export",
                    "--from",
                    "2000-01-01",
                    "--to",
                    "9999-12-31",
                    "--out",
                    str(tmp_path / "a.csv"),
                ],
                ["enroll", "New Person", str(SAMPLES / "Tom_Hanks_54745.png")],
            ],
            home,
            check_unchanged=False,
        )
    assert _dump(home) == before, "a command changed the database"
    check(people, 0)
    assert "Tom Hanks" in people["out"]
    check(export, 0)
    assert "Tom Hanks" in (tmp_path / "a.csv").read_text(encoding="utf-8-sig")
    check(enrol, 2, "may write")


# ---------------------------------------------------------------------------- the real executable


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("FACEGATE_MODEL", "DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    environ.update(PYTHONPATH=str(ROOT), **env)
    return subprocess.run(
        [sys.executable, "-m", "desktop_app.cli", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=CASE_LIMIT_S * 4,
    )


def test_app_without_a_display_says_so(home, tmp_path):
    result = _cli(FACEGATE_HOME=str(tmp_path))
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("facegate: ") and "display" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_plain_command_prints_no_warnings(home):
    result = _cli("people", FACEGATE_HOME=str(home))
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
    assert "Tom Hanks" in result.stdout


# ------------------------------------------------------------------------------------- settings


def test_settings_out_of_range_are_refused_and_stored_ones_skipped(tmp_path):
    import dataclasses

    from core.errors import FaceGateError
    from core.settings import Settings
    from core.store import Store

    for name, value in (
        ("match_threshold", float("nan")),
        ("unlock_threshold", 1.5),
        ("consecutive_frames", 0),
        ("window_s", -1.0),
        ("cooldown_s", float("inf")),
        ("min_face", 5),
    ):
        with pytest.raises(FaceGateError, match=name.replace("_", " ")):
            dataclasses.replace(Settings(), **{name: value})
    with Store(f"sqlite:///{tmp_path / 'facegate.db'}") as store:
        store.save_settings(dataclasses.replace(Settings(), cooldown_s=60.0, consecutive_frames=5))
        # A row written by hand (or an older version) with a value out of range.
        with sqlite3.connect(tmp_path / "facegate.db") as db:
            assert db.execute("UPDATE settings SET value = '0' WHERE key = 'consecutive_frames'").rowcount == 1
        loaded = store.load_settings()
    assert loaded.cooldown_s == 60.0 and loaded.consecutive_frames == Settings().consecutive_frames
