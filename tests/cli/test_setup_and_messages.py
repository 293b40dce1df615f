"""What a newcomer meets first: `--version`, the app refusing to start with one `facegate:` line
where Qt would abort, help for every argument, `detect`'s count, `checkin -v` saying why faces are
turned away, a model nobody has templates of, a small face called small, and the PIN reset."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path

import pytest
from PIL import Image

from core.store import Store
from core.store.pin import hash_pin, verify_pin
from desktop_app.cli.main import build_parser
from tests.fixtures import ROOT, SHARED

NUAA_PRINT = SHARED / "data" / "pad" / "nuaa" / "print"
NUAA_LIVE = SHARED / "data" / "pad" / "nuaa" / "live"
DISPLAY_VARIABLES = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "QT_QPA_PLATFORM_PLUGIN_PATH")


def _run(cli_env, *args: str, drop: tuple[str, ...] = (), stdin: str | None = None, **env: str):
    environ = {k: v for k, v in cli_env.items() if k not in drop}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "desktop_app.cli", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
    )


def _one_line(result) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stderr.startswith("facegate: ") and result.stderr.count("\n") == 1, result.stderr
    assert result.stdout == ""
    return result.stderr


def test_version_prints_the_installed_version(cli_env):
    result = _run(cli_env, "--version")
    assert result.returncode == 0 and result.stdout.strip() == f"facegate {version('facegate')}"


# ------------------------------------------------------------------------------- the app's start


def test_the_app_without_a_display_says_so_in_one_line(cli_env):
    line = _one_line(_run(cli_env, drop=DISPLAY_VARIABLES))
    assert "no display" in line and "facegate checkin" in line


@pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("ldd"), reason="Linux with ldd only")
def test_a_missing_xcb_library_is_named_with_its_package(cli_env, tmp_path):
    from PySide6.QtCore import QLibraryInfo

    # The real xcb plugin, copied where its $ORIGIN/../../lib finds Qt's own libraries, with the
    # library it links for ICCCM renamed to one no system has: as on a desktop without libxcb-icccm4.
    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    (tmp_path / "lib").symlink_to(Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.LibrariesPath)))
    platforms = tmp_path / "plugins" / "platforms"
    platforms.mkdir(parents=True)
    plugin = (plugins / "platforms" / "libqxcb.so").read_bytes()
    assert plugin.count(b"libxcb-icccm.so.4\0") == 1
    (platforms / "libqxcb.so").write_bytes(plugin.replace(b"libxcb-icccm.so.4\0", b"libxcb-icccm.so.0\0"))
    env = {"DISPLAY": ":0", "QT_QPA_PLATFORM_PLUGIN_PATH": str(platforms)}
    line = _one_line(_run(cli_env, drop=DISPLAY_VARIABLES, **env))
    assert "missing libxcb-icccm.so.0" in line and "sudo apt install libxcb-icccm4" in line


def test_a_display_nobody_answers_on_is_one_line_not_an_abort(cli_env):
    unused = next(n for n in range(917, 999) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    line = _one_line(_run(cli_env, drop=DISPLAY_VARIABLES, DISPLAY=f":{unused}"))
    assert f"':{unused}'" in line


def test_a_working_display_passes_the_check():
    from desktop_app.gui.platform_check import display_problem

    xvfb = shutil.which("Xvfb")
    if not xvfb:
        pytest.skip("Xvfb is not installed (Debian/Ubuntu: apt install xvfb)")
    # -displayfd: the server picks a free display and writes its number once it accepts clients.
    server = subprocess.Popen(
        [xvfb, "-displayfd", "1", "-screen", "0", "640x480x24"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        display = f":{server.stdout.readline().strip()}"
        assert display_problem({"DISPLAY": display}) is None
    finally:
        server.terminate()
        server.wait(timeout=10)


# -------------------------------------------------------------------------------------- commands


def _actions(parser: argparse.ArgumentParser, path: str, seen: set):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                if id(sub) not in seen:
                    seen.add(id(sub))
                    yield from _actions(sub, f"{path} {name}", seen)
        else:
            yield path, action


def test_every_argument_has_help():
    missing = [
        f"{path} {'/'.join(action.option_strings) or action.dest}"
        for path, action in _actions(build_parser(), "facegate", set())
        if action.help is None
    ]
    assert missing == [], missing


def test_detect_prints_a_count_and_the_faces_only_with_json(cli_env, sample_images):
    counted = _run(cli_env, "detect", str(sample_images / "t1.jpg"), str(sample_images / "Tom_Hanks_54745.png"))
    assert counted.returncode == 0
    assert counted.stdout.splitlines() == [
        f"6 faces in {sample_images / 't1.jpg'}",
        f"1 face in {sample_images / 'Tom_Hanks_54745.png'}",
    ]
    assert '"box"' in _run(cli_env, "detect", "--json", str(sample_images / "t1.jpg")).stdout


def test_a_small_face_is_too_small_not_missing(cli_env, sample_images, tmp_path):
    # The sample face at a third of its size on a 640x480 frame: under the detector's 40 px.
    face = Image.open(sample_images / "Tom_Hanks_54745.png").convert("RGB")
    small = face.resize((face.width * 3 // 10, face.height * 3 // 10), Image.BILINEAR)
    frame = Image.new("RGB", (640, 480), (128, 128, 128))
    frame.paste(small, (300, 200))
    frame.save(tmp_path / "far.png")
    result = _run(cli_env, "enroll", "Tom Hanks", str(tmp_path / "far.png"))
    assert result.returncode == 2 and "face too small" in result.stderr and "come closer" in result.stderr
    assert "no face found" not in result.stderr


def test_a_model_nobody_has_templates_of_says_so_and_how_to_make_them(cli_env, sample_images, tmp_path):
    assert _run(cli_env, "enroll", "Tom Hanks", str(sample_images / "Tom_Hanks_54745.png")).returncode == 0
    camera = tmp_path / "camera"
    camera.mkdir()
    shutil.copy(sample_images / "Tom_Hanks_54745.png", camera)
    int8 = str(ROOT / "assets" / "models" / "student_int8.onnx")
    result = _run(cli_env, "--model", int8, "checkin", "--camera", str(camera))
    assert result.returncode == 0
    assert "nobody enrolled has templates of" in result.stderr
    assert f"facegate --model {int8} people upgrade" in result.stderr


def _verbose_checkin(cli_env, camera: Path, frames: list[Path]) -> tuple[subprocess.CompletedProcess, list[str]]:
    """`checkin -v` over a camera folder of these frames, in order; its result and "not checked in" lines."""
    camera.mkdir()
    for i, frame in enumerate(frames):
        shutil.copy(frame, camera / f"{i:02d}{frame.suffix}")
    result = _run(cli_env, "checkin", "-v", "--camera", str(camera))
    return result, [line for line in result.stderr.splitlines() if "not checked in" in line]


def test_checkin_verbose_names_an_unknown_face(cli_env, sample_images, tmp_path):
    assert _run(cli_env, "settings", "set", "pad_enabled", "false").returncode == 0
    result, lines = _verbose_checkin(cli_env, tmp_path / "camera", [sample_images / "Tom_Hanks_54745.png"] * 5)
    assert result.returncode == 0 and result.stdout == ""
    # Once while it holds, not once per frame; with the time first.
    assert len(lines) == 1 and "unknown face (similarity" in lines[0], result.stderr
    assert lines[0][2] == lines[0][5] == ":"


def test_a_stream_that_fails_leaves_one_line_and_no_ffmpeg_log(cli_env):
    import http.server
    import threading

    # A real server on this machine that answers, but not in RTSP: FFmpeg logs its own complaint.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"rtsp://127.0.0.1:{server.server_address[1]}/stream"
        line = _one_line(_run(cli_env, "checkin", "--once", "--camera", url))
    finally:
        server.shutdown()
    assert url in line and "@ 0x" not in line


@pytest.mark.shared
def test_checkin_verbose_names_a_printed_photo(cli_env, tmp_path):
    if not NUAA_PRINT.is_dir():
        pytest.skip(f"no NUAA print frames at {NUAA_PRINT}: ../shared/data is needed for this test")
    result, _ = _verbose_checkin(cli_env, tmp_path / "camera", sorted(NUAA_PRINT.glob("0001_00_00_01_*.jpg")))
    assert result.returncode == 0
    assert "not checked in: photo or screen" in result.stderr, result.stderr


@pytest.mark.shared
def test_checkin_verbose_names_a_frozen_frame(cli_env, tmp_path):
    if not NUAA_LIVE.is_dir():
        pytest.skip(f"no NUAA live frames at {NUAA_LIVE}: ../shared/data is needed for this test")
    # One live webcam frame over and over: it scores live, but nothing in it moves (a still picture
    # fed in as a camera), so the temporal rule refuses it, and -v says which reason, once.
    result, lines = _verbose_checkin(cli_env, tmp_path / "camera", [NUAA_LIVE / "0001_00_00_01_0.jpg"] * 12)
    assert result.returncode == 0 and result.stdout == ""
    assert len(lines) == 1 and "not checked in: frozen frame" in lines[0], result.stderr


# ------------------------------------------------------------------------------------ PIN reset


def test_the_pin_reset_needs_the_key_file_and_is_audited(cli_env, tmp_path, monkeypatch):
    key = tmp_path / "facegate.key"
    monkeypatch.setenv("FACEGATE_KEY_FILE", str(key))  # the Store opened here reads it too
    env = {**cli_env, "FACEGATE_KEY_FILE": str(key)}
    url = f"sqlite:///{tmp_path / 'facegate.db'}"
    with Store(url) as store:
        store.save_settings(replace(store.load_settings(), admin_pin_hash=hash_pin("246813")))
    pin_file = tmp_path / "new pin"
    pin_file.write_text("975318\n", encoding="utf-8")

    # Without the key file: refused, and the old PIN stands.
    key.rename(tmp_path / "elsewhere.key")
    line = _one_line(_run(env, "admin", "reset-pin", "--pin-file", str(pin_file)))
    assert "key file" in line and "975318" not in line
    (tmp_path / "elsewhere.key").rename(key)
    # With it, but no PIN to read: asked at a terminal only.
    assert "--pin-file" in _one_line(_run(env, "admin", "reset-pin"))
    # Wrong PINs started the back-off; the reset ends it.
    for _ in range(4):
        assert _run(env, "settings", "show", FACEGATE_ADMIN_PIN="111112").returncode == 2
    reset = _run(env, "admin", "reset-pin", "--pin-file", str(pin_file))
    assert reset.returncode == 0, reset.stderr
    assert "975318" not in reset.stdout + reset.stderr
    assert _run(env, "settings", "show", FACEGATE_ADMIN_PIN="975318").returncode == 0
    with Store(url) as store:
        assert verify_pin("975318", store.load_settings().admin_pin_hash)
        assert store.pin_state().failures == 0
        log = store.audit_log()
    resets = [entry for entry in log if entry.action == "reset admin PIN"]
    assert [entry.actor for entry in resets] == ["cli"]
    assert not any("975318" in entry.detail or "246813" in entry.detail for entry in log)
