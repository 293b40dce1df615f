"""The CLI tests that call `main()` in-process run it on a fresh data folder of their own, with the
fixture's model and none of the caller's database, PIN or verifier choices."""

import pytest


@pytest.fixture
def home(tmp_path, monkeypatch, model):
    monkeypatch.setenv("FACEGATE_HOME", str(tmp_path))
    for name in ("FACEGATE_DB", "FACEGATE_ADMIN_PIN", "FACEGATE_VERIFIER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FACEGATE_MODEL", model)
    return tmp_path
