"""The generated month (tests/reports/month.py), built once per module in a real SQLite file."""

import pytest

from tests.reports.month import build_month


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """(database URL, expected figures by name)."""
    path = tmp_path_factory.mktemp("month") / "facegate.db"
    url = f"sqlite:///{path.as_posix()}"
    return url, build_month(url)


@pytest.fixture
def month_cli(month, tmp_path, monkeypatch):
    """The CLI run in-process on the month's database, with no PIN asked."""
    url, expected = month
    monkeypatch.setenv("FACEGATE_HOME", str(tmp_path))
    monkeypatch.setenv("FACEGATE_DB", url)
    monkeypatch.delenv("FACEGATE_ADMIN_PIN", raising=False)
    return expected
