"""`facegate people import` and `export` on real LFW photos: a CSV enrols everyone or nobody, a bad
row is named and changes nothing, and an export imports back into a fresh database as the same people."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from core.store import Store
from desktop_app.cli import main

HEADER = "name,photo,group,external_id\n"


@pytest.fixture
def home(tmp_path, monkeypatch, model):
    monkeypatch.setenv("FACEGATE_HOME", str(tmp_path / "home"))
    for name in ("FACEGATE_DB", "FACEGATE_ADMIN_PIN", "FACEGATE_VERIFIER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FACEGATE_MODEL", model)
    return tmp_path / "home"


def _store(home: Path) -> Store:
    return Store(f"sqlite:///{(home / 'facegate.db').as_posix()}")


def _lfw_people(lfw: Path, pipeline, count: int, photos: int = 1) -> list[tuple[str, list[str]]]:
    """(folder name, photo paths relative to lfw) of the first `count` people with `photos` photos
    the enrolment gates accept (LFW has crowd shots and small faces, which they rightly refuse)."""
    from core.enrol.quality import QualityGates, check_face, enrolment_faces
    from core.vision.imaging import load_image

    def usable(path: Path) -> bool:
        image = load_image(path)
        gates = QualityGates()
        return check_face(image, enrolment_faces(pipeline.detector, image, gates), gates)[0] is not None

    found = []
    for folder in sorted(p for p in lfw.iterdir() if p.is_dir()):
        files = [f for f in sorted(folder.glob("*.jpg"))[: photos + 2] if usable(f)][:photos]
        if len(files) == photos:
            found.append((folder.name, [f"{folder.name}/{f.name}" for f in files]))
        if len(found) == count:
            return found
    pytest.skip(f"LFW at {lfw} has fewer than {count} people with {photos} usable photos")


def _write_csv(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["name", "photo", "group", "external_id"])
        writer.writerows(rows)
    return path


def _people(home: Path) -> list[tuple[str, str | None, str | None, bool, list[str]]]:
    with _store(home) as store:
        photos = store.photo_sources()
        return [
            (p.name, p.group, p.external_id, p.active, photos.get(p.id, []))
            for p in store.list_people(include_inactive=True)
        ]


def test_fifty_lfw_people_enrol_from_one_csv(home, lfw, pipeline, tmp_path, capsys):
    people = _lfw_people(lfw, pipeline, 50)
    table = _write_csv(
        tmp_path / "people.csv",
        [(name.replace("_", " "), ";".join(photos), "staff", f"E{i:03d}") for i, (name, photos) in enumerate(people)],
    )
    assert main(["people", "import", str(table), "--photos", str(lfw)]) == 0, capsys.readouterr().err
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == "imported 50 people (50 photos)"
    # The per-row report, and the progress on standard error (one line per row where it is no terminal).
    assert sum(line.endswith(": 1 photo ok") for line in out.splitlines()) == 50
    assert "checked 50/50" in err
    stored = _people(home)
    assert sorted(name for name, *_ in stored) == sorted(name.replace("_", " ") for name, _ in people)
    assert {external_id for _, _, external_id, _, _ in stored} == {f"E{i:03d}" for i in range(50)}
    with _store(home) as store:
        model_ids = {t.model_id for t, _ in store.template_crops()}
        # Every person has a template by the student and by the verifier, and they decrypt.
        for model_id in model_ids:
            _, person_ids, _ = store.templates_for_gallery(model_id)
            assert len(set(person_ids.tolist())) == 50
    assert len(model_ids) == 2


@pytest.fixture
def lfw_people(lfw, pipeline) -> list[tuple[str, list[str]]]:
    return _lfw_people(lfw, pipeline, 4, photos=2)


@pytest.fixture
def good_rows(lfw_people) -> list[tuple[str, str, str, str]]:
    return [(name.replace("_", " "), ";".join(photos), "staff", "") for name, photos in lfw_people[:3]]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (("Missing Photo", "Nobody/Nobody_0001.jpg", "", ""), "Nobody_0001.jpg"),
        (("No Face", "not-a-face.png", "", ""), "no face found"),
        (("{shouted_name}", "{first_photo}", "", ""), "the same name as row 3"),
        (("No Photo", "", "", ""), "no photo"),
        (("Bad\tName", "{first_photo}", "", ""), "control character"),
        (("Someone Else", "{first_photo}", "", ""), "these faces look like row 2's"),
    ],
    ids=["missing photo", "no face", "duplicate name", "empty photo cell", "bad name", "one face, two names"],
)
def test_one_bad_row_changes_nothing_and_is_named(home, lfw, lfw_people, tmp_path, good_rows, capsys, bad, reason):
    import cv2

    # Someone enrolled before the import: still alone afterwards, and the site's revision unchanged.
    first = good_rows[0][1].split(";")[0]
    assert main(["enroll", "Already Here", str(lfw / lfw_people[3][1][0])]) == 0
    with _store(home) as store:
        revision = store.revision()
    photos = tmp_path / "photos"
    photos.mkdir()
    for _, cell, *_ in good_rows:
        for photo in cell.split(";"):
            (photos / photo).parent.mkdir(exist_ok=True)
            (photos / photo).symlink_to(lfw / photo)
    # A real photo with no face in it: a corner of sky and wall from an LFW picture.
    corner = cv2.imread(str(lfw / first))[:40, :40]
    cv2.imwrite(str(photos / "not-a-face.png"), cv2.resize(corner, (250, 250)))
    name, cell, group, external_id = bad
    # The second person's name again, in capitals and with a double space: the same name.
    shouted = "  ".join(good_rows[1][0].upper().split(" ", 1))
    row = (name.format(shouted_name=shouted), cell.format(first_photo=first), group, external_id)
    # The bad row comes last: every good row before it has been checked, none stored.
    table = _write_csv(tmp_path / "people.csv", [*good_rows, row])
    capsys.readouterr()
    assert main(["people", "import", str(table), "--photos", str(photos)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("facegate: 1 of 4 rows cannot be enrolled, so nothing was: row 5 ("), err
    assert reason in err[-1]
    assert [p[0] for p in _people(home)] == ["Already Here"]
    with _store(home) as store:
        assert store.revision() == revision


def test_import_export_import_gives_the_same_people(home, lfw, lfw_people, tmp_path, monkeypatch, capsys):
    rows = [
        (name.replace("_", " "), ";".join(photos), group, external_id, active)
        for (name, photos), group, external_id, active in zip(
            lfw_people, ("staff", "visitors", "", "staff"), ("E1", "", "=E3", "E4"), ("yes", "", "yes", "no")
        )
    ]
    table = tmp_path / "people.csv"
    with table.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("Name", "Photos", "Group", "External id", "Active"), *rows])
    # A dry run checks and prints the plan, and stores nobody.
    assert main(["people", "import", str(table), "--photos", str(lfw), "--dry-run"]) == 0
    assert "dry run: 4 people (8 photos) would be enrolled; nothing was stored" in capsys.readouterr().out
    assert _people(home) == []
    assert main(["people", "import", str(table), "--photos", str(lfw)]) == 0
    first = _people(home)
    assert [(name, active) for name, _, _, active, _ in first] == [(r[0], r[4] != "no") for r in sorted(rows)]

    exported, as_json = tmp_path / "out" / "people.csv", tmp_path / "out" / "people.json"
    exported.parent.mkdir()
    assert main(["people", "export", "--out", str(exported)]) == 0
    assert main(["people", "export", "--out", str(as_json)]) == 0
    listed = json.loads(as_json.read_text(encoding="utf-8"))
    assert [set(p) for p in listed] == [{"name", "photo", "group", "external_id", "active"}] * 4
    assert [(p["name"], p["external_id"], p["photo"]) for p in listed] == [(n, e, ph) for n, _, e, _, ph in first]
    # The spreadsheet-safe cell comes back as it was.
    assert "'=E3" in exported.read_text(encoding="utf-8-sig")

    monkeypatch.setenv("FACEGATE_HOME", str(fresh := tmp_path / "fresh"))
    capsys.readouterr()
    assert main(["people", "import", str(exported), "--photos", str(lfw)]) == 0, capsys.readouterr().err
    assert _people(fresh) == first


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "cannot read"),
        (b"name,picture\nAnn,a.jpg\n", "unknown: picture"),
        (b"group\nstaff\n", "missing: name, photo"),
        (b"name,photo\n", "lists nobody"),
        ("name,photo\nJos\xe9,a.jpg\n".encode("latin-1"), "is not UTF-8 text"),
    ],
    ids=["missing file", "unknown column", "missing columns", "no rows", "not UTF-8"],
)
def test_a_file_that_is_no_people_csv_gets_one_line(home, tmp_path, capsys, content, reason):
    table = tmp_path / "people.csv"
    if content is not None:
        table.write_bytes(content)
    assert main(["people", "import", str(table)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("facegate: ") and reason in err[0], err
    assert not (home / "facegate.db").exists()
