"""A database on a full disk says that the disk is full."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import StoreError
from core.store import Store
from tests.kiosk.test_spool import full_folder


def test_a_full_disk_under_an_existing_database_is_reported_as_full(tmp_path):
    with full_folder(
        tmp_path, before_filling=lambda folder: Store(f"sqlite:///{folder / 'facegate.db'}").close()
    ) as spool:
        url = f"sqlite:///{spool.parent / 'facegate.db'}"
        with pytest.raises(StoreError, match="disk is full"):
            with Store(url) as store:
                for i in range(50):
                    store.enrol(np.ones((20, 512), np.float32), "m", "1", 0.9, "photo", name=f"P{i}")
