"""A database damaged from outside FaceGate is reported on one line, not as an internal error."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest

from core.errors import StoreError
from core.store import Store


def test_a_database_without_its_site_row_is_reported_damaged(tmp_path, cli_env, facegate):
    url = f"sqlite:///{tmp_path / 'facegate.db'}"
    Store(url).close()
    with sqlite3.connect(tmp_path / "facegate.db") as db:
        db.execute("DELETE FROM site")
    with pytest.raises(StoreError, match="damaged"):
        Store(url)
    done = subprocess.run([*facegate, "people"], env=cli_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.startswith("facegate: the database") and "damaged" in done.stderr
