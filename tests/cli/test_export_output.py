"""`attendance export --out` against what may already be at the path: device nodes, FIFOs, planted
symbolic links, files with their own permissions, folders; and standard output that is full or
closed early. Nodes are made with mknod in a temporary folder, never the real /dev."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading

import numpy as np
import pytest

from tests.cli import test_bad_inputs as bad
from tests.cli.test_bad_inputs import check, run_group
from tests.fixtures import ROOT

# The FACEGATE_HOME with one person and one check-in that the bad-input tests use.
home = bad.home
EXPORT = ["attendance", "export", "--from", "2000-01-01", "--to", "9999-12-31", "--out"]


def _node(path, major: int, minor: int) -> None:
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(major, minor))
    except PermissionError:
        pytest.skip("mknod needs root (CAP_MKNOD)")


def test_out_writes_device_nodes_and_fifos_in_place_and_reports_a_full_device(home, tmp_path):
    null, full, fifo = tmp_path / "null", tmp_path / "full", tmp_path / "fifo"
    _node(null, 1, 3)
    _node(full, 1, 7)
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    to_null, to_full, to_fifo = run_group([[*EXPORT, str(null)], [*EXPORT, str(full)], [*EXPORT, str(fifo)]], home)
    reader.join(timeout=30)
    check(to_null, 0)
    check(to_full, 2, "No space left on device")
    check(to_fifo, 0)
    assert stat.S_ISCHR(null.lstat().st_mode) and stat.S_ISCHR(full.lstat().st_mode)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert b"Tom Hanks" in got[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "full", "null"], "a temporary file was left"


def test_out_refuses_a_symbolic_link_and_leaves_it_and_its_target_alone(home, tmp_path):
    target = tmp_path / "victim.txt"
    target.write_text("keep me\n")
    link = tmp_path / "report.csv"
    link.symlink_to(target)
    to_stdout_link = tmp_path / "stdout.csv"
    to_stdout_link.symlink_to("/proc/self/fd/1")
    for outcome in run_group([[*EXPORT, str(link)], [*EXPORT, str(to_stdout_link)]], home):
        check(outcome, 2, "symbolic link")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert to_stdout_link.is_symlink()
    assert target.read_text() == "keep me\n"


def test_out_never_writes_through_a_planted_temporary_file_name(home, tmp_path):
    # The name the old export wrote first, planted as a link to a file the attacker wants written.
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (tmp_path / ".report.csv.partial").symlink_to(victim)
    out = tmp_path / "report.csv"
    check(run_group([[*EXPORT, str(out)]], home)[0], 0)
    assert victim.read_text() == "keep me\n"
    assert not out.is_symlink() and "Tom Hanks" in out.read_text(encoding="utf-8-sig")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".report.csv.partial", "report.csv", "victim.txt"]


def test_out_keeps_the_mode_it_replaces_and_creates_private_files(home, tmp_path):
    private, shared, new = tmp_path / "private.csv", tmp_path / "shared.csv", tmp_path / "new.csv"
    private.write_text("old\n")
    private.chmod(0o600)
    shared.write_text("old\n")
    shared.chmod(0o640)
    old_umask = os.umask(0o022)  # a umask that would make a plain new file 0644
    try:
        outcomes = run_group([[*EXPORT, str(p)] for p in (private, shared, new)], home)
    finally:
        os.umask(old_umask)
    for outcome in outcomes:
        check(outcome, 0)
    assert [stat.S_IMODE(p.stat().st_mode) for p in (private, shared, new)] == [0o600, 0o640, 0o600]
    assert "Tom Hanks" in private.read_text(encoding="utf-8-sig")


def test_out_that_names_no_file_is_one_line_and_exit_2(home, tmp_path):
    cases = {"": "no output file", ".": "it is a folder", "/": "it is a folder", "..": "it is a folder"}
    for outcome, message in zip(run_group([[*EXPORT, out] for out in cases], home), cases.values()):
        check(outcome, 2, message)


def _facegate(*args: str, folder, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("FACEGATE_MODEL", "FACEGATE_DB")}
    env.update(FACEGATE_HOME=str(folder), PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "desktop_app.cli", *args], cwd=ROOT, env=env, timeout=120, **kwargs)


def test_a_full_standard_output_is_one_line_and_exit_2(home, tmp_path):
    full = tmp_path / "full"
    _node(full, 1, 7)
    for args in (["people"], [*EXPORT, "-"]):
        with open(full, "w") as stdout:
            result = _facegate(*args, folder=home, stdout=stdout, stderr=subprocess.PIPE, text=True)
        assert result.returncode == 2, result.stderr
        assert result.stderr.splitlines() == ["facegate: cannot write to standard output: No space left on device"]


def test_a_reader_that_quits_early_stops_the_export_quietly(home, tmp_path):
    # Enough rows that the export is still writing when `head` has read its two lines and gone.
    from datetime import datetime, timedelta, timezone

    from core.store import Store
    from core.types import CHECK_IN, Event

    busy = tmp_path / "busy"
    busy.mkdir()
    with Store(f"sqlite:///{busy / 'facegate.db'}") as store:
        person = store.enrol(np.full(4, 0.5, np.float32), "m", "1", 0.9, "photo", name="Ann").person
        start = datetime(2024, 1, 1, tzinfo=timezone.utc)
        for i in range(2000):
            store.record_event(Event(person.id, person.name, start + timedelta(minutes=i), CHECK_IN, 0.9, "k"))
    head = subprocess.Popen(["head", "-2"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    result = _facegate(*EXPORT, "-", folder=busy, stdout=head.stdin, stderr=subprocess.PIPE, text=True)
    head.stdin.close()
    head.wait(timeout=30)
    assert result.returncode == 141, result.stderr
    assert result.stderr == ""
