"""Reports read the corrected attendance: a voided check-out changes the figures, and the
corrections of the report's days are listed (the XLSX's Corrections sheet, the HTML's section)."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

import numpy as np
import openpyxl

from core.reports.figures import build_report
from core.reports.render_html import render_html
from core.reports.render_xlsx import render_xlsx
from core.store import CheckinRule, Store
from core.types import CHECK_IN, Event

UTC = timezone.utc
D = date(2024, 3, 4)  # a Monday


def test_a_voided_check_out_changes_the_figures_and_the_trail_is_in_the_report(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'facegate.db'}") as store:
        ann = store.enrol(np.ones(4, np.float32) / 2, "m", "1", 0.9, "photo", name="Ann").person.id
        rule = CheckinRule(cooldown_s=300, checkout_min_gap_s=0, max_shift_s=16 * 3600)
        start = datetime(D.year, D.month, D.day, 8, tzinfo=UTC)
        uids = [
            store.record_attendance(
                Event(ann, None, start + timedelta(hours=h), CHECK_IN, 0.8, "door"), rule, UTC
            ).stored.uid
            for h in (0, 9)
        ]
        before = build_report(store, D, D, tz=UTC, today=D)
        assert (before.people[0].hours, before.people[0].no_check_out) == (9.0, 0)
        assert before.corrections == ()
        assert "Corrections" not in openpyxl.load_workbook(io.BytesIO(render_xlsx(before))).sheetnames

        store.void_attendance(uids[1], "=badge left on the desk", actor="admin")
        after = build_report(store, D, D, tz=UTC, today=D)
        assert (after.people[0].hours, after.people[0].no_check_out) == (0.0, 1)

        sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(after)))["Corrections"]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == ("Corrected", "Person", "Event", "Action", "Time (old -> new)", "Reason", "By")
        assert rows[1][1:] == ("Ann", "check-out", "void", "2024-03-04 17:00 ->", "=badge left on the desk", "admin")
        assert sheet.cell(2, 6).data_type == "s"  # the reason stays text, never a formula
        html = render_html(after)
        assert "<h2>Corrections</h2>" in html and "badge left on the desk" in html
