"""FACEGATE_DB may name any file: FaceGate makes private (0600) only the database files it creates or
has verified as its own, never through a symlink, and a read-only job changes no mode at all."""

from __future__ import annotations

import os
import stat

import pytest

from core.errors import StoreError
from core.store import Store


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _facegate_database(path) -> None:
    Store(f"sqlite:///{path}").close()
    path.chmod(0o644)


def test_a_file_that_is_not_a_facegate_database_keeps_its_mode(tmp_path):
    passwd = tmp_path / "fake_passwd"
    passwd.write_text("root:x:0:0:root:/root:/bin/bash\n")
    passwd.chmod(0o644)
    for open_store in (Store, Store.for_reading):
        with pytest.raises(StoreError, match="not a FaceGate database"):
            open_store(f"sqlite:///{passwd}")
    assert _mode(passwd) == 0o644


def test_a_symlinked_database_is_opened_but_its_target_keeps_its_mode(tmp_path):
    target, link = tmp_path / "target.db", tmp_path / "link.db"
    _facegate_database(target)
    link.symlink_to(target)
    with Store(f"sqlite:///{link}") as store:
        assert store.list_people() == []
    assert _mode(target) == 0o644


def test_a_read_only_job_leaves_the_mode_and_a_writer_narrows_its_own_database(tmp_path):
    db = tmp_path / "facegate.db"
    _facegate_database(db)
    Store.for_reading(f"sqlite:///{db}").close()
    assert _mode(db) == 0o644
    Store(f"sqlite:///{db}").close()
    assert _mode(db) == 0o600


def test_a_new_database_is_created_private(tmp_path):
    db = tmp_path / "new.db"
    Store(f"sqlite:///{db}").close()
    assert _mode(db) == 0o600
