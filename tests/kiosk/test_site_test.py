"""scripts/site_test.py, the site test harness, on a site of two LFW people and two strangers."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.fixtures import ROOT

LINES = (
    "checked in as themselves",
    "checked in as someone else",
    "not checked in",
    "strangers checked in",
)


def test_site_test_enrols_walks_and_counts_every_visit(lfw, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    env.pop("FACEGATE_DB", None)
    command = [sys.executable, str(ROOT / "scripts" / "site_test.py"), str(lfw), "--people", "2", "--strangers", "2"]
    command += ["--walk-photos", "1", "--verifier", "off"]
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout.splitlines()
    assert any(line.startswith("enrolled 2 people from 3 photos each") for line in out), result.stdout
    counts = {}
    for label, line in zip(LINES, out[-4:]):
        found = re.fullmatch(rf"{label}: (\d+) of (\d+) \((\d+\.\d) %\)", line)
        assert found, line
        counts[label] = (int(found[1]), int(found[2]))
    assert counts["strangers checked in"][1] == 2
    themselves, visits = counts["checked in as themselves"]
    assert visits == 2
    # A visit with no event is "not checked in"; one with any event is not.
    assert counts["not checked in"][0] >= visits - themselves - counts["checked in as someone else"][0]
    assert counts["not checked in"][0] <= visits - themselves
    # It ran in a site of its own: no FaceGate data or key in the caller's home (onnxruntime keeps a
    # cache of its own there).
    written = [p for p in tmp_path.rglob("*") if "facegate" in str(p.relative_to(tmp_path)).lower()]
    assert not written, written
