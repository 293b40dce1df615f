"""One person per name as people read it: full-width, ligature and Cyrillic/Greek look-alike spellings
of a name are the same name, a name that draws as nothing is refused, and the display name stays
as typed; databases enrolled before keep all their people, found by the new keys."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest
from alembic import command
from sqlalchemy import create_engine, insert

from core.errors import FaceGateError
from core.store import Store
from core.store.engine import alembic_config
from core.store.labels import clean_label
from core.store.schema import PersonRow
from tests.store.test_store import enrolled

LOOK_ALIKES = (
    "Ｃolin Powell",
    "\u0421olin Powell",
    "C\u03bflin Powell",
    "colin  POWELL",
)  # full-width, Cyrillic С, Greek ο


@pytest.mark.parametrize("name", ["\u3164", "\u2800", " \u2800\u3164 ", "\u200b\u200b", "\u0301"])
def test_a_name_with_no_visible_character_is_refused(name):
    with pytest.raises(FaceGateError, match="visible|control"):
        clean_label(name, "name")


def test_look_alike_spellings_of_a_name_are_one_person_and_the_display_name_stays(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'facegate.db'}") as store:
        colin, other = enrolled(store, "Colin Powell"), enrolled(store, "Someone Else")
        for name in LOOK_ALIKES:
            assert store.find_person_by_name(name).id == colin.id
            with pytest.raises(FaceGateError, match="already enrolled"):
                store.update_person(dataclasses.replace(other, name=name))
        assert enrolled(store, "Ｍaria").name == "Ｍaria"  # kept as typed


def test_people_enrolled_before_the_fold_all_stay_and_are_found(tmp_path):
    url = f"sqlite:///{tmp_path / 'facegate.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0003")
        now = datetime.now(timezone.utc)
        for name in ("Colin Powell", *LOOK_ALIKES[:2]):
            key = " ".join(name.split()).casefold()  # the keys the older fold stored
            connection.execute(insert(PersonRow.__table__).values(name=name, name_key=key, active=True, created_at=now))
    engine.dispose()
    with Store(url) as store:
        people = sorted(store.list_people(), key=lambda p: p.id)
        assert [p.name for p in people] == ["Colin Powell", *LOOK_ALIKES[:2]]
        assert store.find_person_by_name("\u0421olin Powell").id == people[0].id
