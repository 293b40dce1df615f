"""`facegate backup` and `facegate restore`: a backup taken while a real `facegate checkin` writes
restores into a fresh home as the same site; a damaged, edited or unknown archive is refused with
one line and writes nothing; an existing database is replaced only with --force."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import sqlite3
import subprocess
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from core.store import Store
from core.store.pin import hash_pin
from desktop_app.cli import main

EVER = (datetime(2000, 1, 1, tzinfo=timezone.utc), datetime.now(timezone.utc) + timedelta(days=1))
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def site(tmp_path, monkeypatch, model) -> Path:
    """The in-process CLI on tmp_path as its home, as cli_env gives a subprocess."""
    monkeypatch.setenv("FACEGATE_HOME", str(tmp_path))
    for name in ("FACEGATE_DB", "FACEGATE_ADMIN_PIN", "FACEGATE_VERIFIER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FACEGATE_MODEL", model)
    return tmp_path


@pytest.fixture
def passphrase_file(tmp_path) -> Path:
    path = tmp_path / "passphrase.txt"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return path


def _url(home: Path) -> str:
    return f"sqlite:///{(home / 'facegate.db').as_posix()}"


def _snapshot(home: Path) -> dict:
    """Everything a restore must bring back, read through the Store (so every template decrypts)."""
    with Store(_url(home)) as store:
        crops = store.template_crops()
        models = sorted({info.model_id for info, _ in crops})
        return {
            "people": store.list_people(include_inactive=True),
            "templates": [(info, crop) for info, crop in crops],
            "embeddings": {m: store.templates_for_gallery(m) for m in models},
            "events": store.events(*EVER),
            "settings": store.load_settings(),
        }


def _same_embeddings(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        np.array_equal(a[m][0], b[m][0]) and np.array_equal(a[m][1], b[m][1]) for m in a
    )


def test_a_backup_taken_while_checkin_writes_restores_the_same_site(
    site, tmp_path, cli_env, facegate, pipeline, lfw, lfw_photos, camera_folder, passphrase_file, monkeypatch, capsys
):
    from desktop_app.cli.site_bench import enrol_site

    with Store(_url(site)) as store:
        walkers = enrol_site(store, pipeline, 6, lfw)
    # Half the walkers, a long stretch of a stranger, the other half: the kiosk is still checking
    # people in when the backup is taken.
    stranger = lfw_photos("Jean_Chretien", ("0002",)) * 60
    frames = [w.photo for w in walkers[:3]] + stranger + [w.photo for w in walkers[3:]] + stranger
    walk = camera_folder("walk", frames, repeats=3)
    kiosk = subprocess.Popen(
        [*facegate, "checkin", "--camera", str(walk)],
        env={**cli_env, "OMP_NUM_THREADS": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = kiosk.stdout.readline()
        assert first.startswith("check-in: "), kiosk.stderr.read()
        archive = tmp_path / "site.fgbackup"
        assert main(["backup", "--out", str(archive), "--with-key", "--passphrase-file", str(passphrase_file)]) == 0
        assert kiosk.poll() is None, "the kiosk ended before the backup was done"
        rest, errors = kiosk.communicate(timeout=300)
    finally:
        kiosk.kill()
    assert kiosk.returncode == 0, errors
    assert "the face-data key is inside" in capsys.readouterr().out
    before = _snapshot(site)
    assert len(before["events"]) == 1 + rest.count("check-in: ") == 6

    # A fresh home on another machine: no database, no key file.
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("FACEGATE_HOME", str(fresh))
    monkeypatch.setenv("FACEGATE_KEY_FILE", str(fresh / "facegate.key"))
    assert main(["restore", str(archive), "--passphrase-file", str(passphrase_file)]) == 0
    out = capsys.readouterr().out
    assert f"restored {fresh / 'facegate.db'} from the backup of " in out
    assert "the face-data key was written from the backup" in out
    after = _snapshot(fresh)
    assert after["people"] == before["people"] and after["settings"] == before["settings"]
    assert after["templates"] == before["templates"]
    assert _same_embeddings(after["embeddings"], before["embeddings"])
    # The events the kiosk had stored when the backup was taken: the first at least, none it had not.
    restored = [(e.uid, e.person_id, e.kind, e.time) for e in after["events"]]
    assert restored and set(restored) <= {(e.uid, e.person_id, e.kind, e.time) for e in before["events"]}
    assert restored[0][1] == before["events"][0].person_id


@pytest.fixture
def small_site(site) -> Path:
    """A site with two people (the embeddings are random: the archive, not recognition, is tested)."""
    rng = np.random.default_rng(0)
    with Store(_url(site)) as store:
        for name in ("Ann Lee", "Bo Chen"):
            vectors = rng.standard_normal((2, 8)).astype(np.float32)
            store.enrol(vectors, "m", "1", 0.9, "photo", crops=b"\xff\xd8jpeg", name=name, group="staff")
    return site


def _backup(site: Path, *extra: str, name: str = "site.fgbackup") -> Path:
    archive = site / name
    assert main(["backup", "--out", str(archive), *extra]) == 0
    return archive


def _rewrite(archive: Path, target: Path, name: str, data: bytes) -> Path:
    """A copy of the archive with one member's bytes replaced."""
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(target, "w") as copy:
        for info in source.infolist():
            copy.writestr(info.filename, data if info.filename == name else source.read(info))
    return target


def _damaged(kind: str, archive: Path, target: Path) -> Path:
    data = archive.read_bytes()
    if kind == "truncated":
        target.write_bytes(data[: len(data) // 2])
    elif kind == "flipped byte":
        with zipfile.ZipFile(archive) as z:
            info = z.getinfo("facegate.db")
        # Inside the database's compressed bytes, past the member's local header.
        at = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
        target.write_bytes(data[:at] + bytes([data[at] ^ 0x40]) + data[at + 1 :])
    elif kind == "database swapped":
        with zipfile.ZipFile(archive) as z:
            database = bytearray(z.read("facegate.db"))
        database[-100] ^= 1
        _rewrite(archive, target, "facegate.db", bytes(database))
    elif kind == "manifest edited":
        with zipfile.ZipFile(archive) as z:
            manifest = z.read("manifest.json").replace(b'"created": "', b'"created": "1999')
        _rewrite(archive, target, "manifest.json", manifest)
    return target


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("truncated", "is not a FaceGate backup, or it is damaged"),
        ("flipped byte", "damaged"),
        ("database swapped", "does not match its checksum"),
        ("manifest edited", "was changed after it was made"),
    ],
)
def test_a_damaged_or_edited_archive_is_refused_with_one_line(small_site, tmp_path, monkeypatch, capsys, kind, reason):
    bad = _damaged(kind, _backup(small_site), tmp_path / f"{kind}.fgbackup")
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("FACEGATE_HOME", str(fresh))
    capsys.readouterr()
    assert main(["restore", str(bad)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("facegate: ") and reason in err[0], err
    assert not fresh.exists() or list(fresh.iterdir()) == []


def test_restore_refuses_an_existing_database_without_force(small_site, tmp_path, capsys):
    archive = _backup(small_site)
    with Store(_url(small_site)) as store:
        store.delete_person(store.list_people()[0].id)
    database = small_site / "facegate.db"
    digest = hashlib.sha256(database.read_bytes()).hexdigest()
    capsys.readouterr()
    assert main(["restore", str(archive)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "exists; restore replaces it only with --force" in err[0]
    assert hashlib.sha256(database.read_bytes()).hexdigest() == digest
    assert main(["restore", str(archive), "--force"]) == 0
    with Store(_url(small_site)) as store:
        assert [p.name for p in store.list_people()] == ["Ann Lee", "Bo Chen"]
    leftovers = [p.name for p in small_site.iterdir() if ".restoring" in p.name or "-backup-" in p.name]
    assert leftovers == []


def test_replacing_a_database_takes_its_admin_pin(small_site, monkeypatch, capsys):
    archive = _backup(small_site)
    with Store(_url(small_site)) as store:
        store.save_settings(dataclasses.replace(store.load_settings(), admin_pin_hash=hash_pin("246813")))
        store.delete_person(store.list_people()[0].id)
    database = small_site / "facegate.db"
    digest = hashlib.sha256(database.read_bytes()).hexdigest()
    capsys.readouterr()
    # No PIN given (tests have no terminal), then a wrong one: refused, the database untouched.
    assert main(["restore", str(archive), "--force"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("facegate: an admin PIN is set")
    assert hashlib.sha256(database.read_bytes()).hexdigest() == digest
    monkeypatch.setenv("FACEGATE_ADMIN_PIN", "135792")
    assert main(["restore", str(archive), "--force"]) != 0
    assert "135792" not in capsys.readouterr().err
    # The wrong PIN is audited (and counts towards the back-off); nothing was restored.
    with Store(_url(small_site)) as store:
        assert [p.name for p in store.list_people()] == ["Bo Chen"]
        assert [e.action for e in store.audit_between(*EVER)][-1] == "wrong admin PIN"
    monkeypatch.setenv("FACEGATE_ADMIN_PIN", "246813")
    assert main(["restore", str(archive), "--force"]) == 0
    with Store(_url(small_site)) as store:
        assert [p.name for p in store.list_people()] == ["Ann Lee", "Bo Chen"]


def test_the_key_needs_its_passphrase_and_is_not_in_a_plain_backup(small_site, tmp_path, monkeypatch, capsys):
    key = Path(os.environ["FACEGATE_KEY_FILE"]).read_bytes()
    plain = _backup(small_site)
    with zipfile.ZipFile(plain) as z:
        assert z.namelist() == ["manifest.json", "manifest.hmac", "facegate.db"]
        assert all(key not in z.read(name) for name in z.namelist())
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n", encoding="utf-8")
    right = tmp_path / "right.txt"
    right.write_text(PASSPHRASE + "\n", encoding="utf-8")
    sealed = _backup(small_site, "--with-key", "--passphrase-file", str(right), name="sealed.fgbackup")
    with zipfile.ZipFile(sealed) as z:
        assert "key.sealed" in z.namelist() and key not in z.read("key.sealed")
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("FACEGATE_HOME", str(fresh))
    monkeypatch.setenv("FACEGATE_KEY_FILE", str(fresh / "facegate.key"))
    capsys.readouterr()
    assert main(["restore", str(plain)]) == 2
    assert "made without its key" in capsys.readouterr().err
    assert main(["restore", str(sealed), "--passphrase-file", str(wrong)]) == 2
    assert "the passphrase does not open the key" in capsys.readouterr().err
    assert not (fresh / "facegate.key").exists() and not (fresh / "facegate.db").exists()
    assert main(["restore", str(sealed), "--passphrase-file", str(right)]) == 0
    assert (fresh / "facegate.key").read_bytes() == key


def test_an_older_schema_is_migrated_and_an_unknown_one_refused(small_site, tmp_path, monkeypatch, capsys):
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    from core.store.backup import make_backup
    from core.store.engine import MIGRATIONS_DIR, alembic_config

    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    older, newer = tmp_path / "older.fgbackup", tmp_path / "newer.fgbackup"
    with Store(_url(small_site)) as store:
        engine = create_engine(_url(small_site))
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0003")
        engine.dispose()
        make_backup(store, older)
        with sqlite3.connect(small_site / "facegate.db") as db:
            db.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
        make_backup(store, newer)
    monkeypatch.setenv("FACEGATE_HOME", str(tmp_path / "a"))
    capsys.readouterr()
    assert main(["restore", str(newer)]) == 2
    assert "has database schema 9999_from_the_future, which this FaceGate does not know" in capsys.readouterr().err
    assert main(["restore", str(older)]) == 0
    assert f"(schema {head}, migrated from 0003)" in capsys.readouterr().out
    with Store(_url(tmp_path / "a")) as store:
        assert [p.name for p in store.list_people()] == ["Ann Lee", "Bo Chen"]


def test_postgresql_is_pointed_to_pg_dump_and_pg_restore(site, postgres_url, monkeypatch, capsys):
    monkeypatch.setenv("FACEGATE_DB", postgres_url)
    out = site / "site.fgbackup"
    assert main(["backup", "--out", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "pg_dump -Fc" in err[0] and "postgres@" not in err[0] and not out.exists()
    assert main(["restore", str(out)]) == 2
    assert "pg_restore" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["restore", "{home}/nothere.fgbackup"], "there is no backup file"),
        (["restore", "{home}/not-a-zip.fgbackup"], "is not a FaceGate backup"),
        (["backup", "--out", "{home}"], "it is a folder"),
        (["backup", "--out", "{home}/no/such/folder/x.fgbackup"], "cannot write"),
        (["backup", "--out", "{home}/x.fgbackup", "--passphrase-file", "{home}/p"], "give --with-key too"),
        (["backup", "--out", "{home}/x.fgbackup", "--with-key", "--passphrase-file", "{home}/p"], "cannot read"),
        (["backup", "--out", "{home}/x.fgbackup", "--with-key", "--passphrase-file", "{home}/empty"], "empty"),
    ],
)
def test_bad_backup_and_restore_arguments_get_one_line(small_site, tmp_path, monkeypatch, capsys, argv, reason):
    (small_site / "not-a-zip.fgbackup").write_text("hello", encoding="utf-8")
    (small_site / "empty").write_text("", encoding="utf-8")
    monkeypatch.setenv("FACEGATE_HOME", str(fresh := tmp_path / "fresh"))
    if argv[0] == "backup":
        monkeypatch.setenv("FACEGATE_HOME", str(small_site))
    capsys.readouterr()
    assert main([a.format(home=small_site) for a in argv]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("facegate: ") and reason in err[0], err
    assert not (fresh / "facegate.db").exists() and not (small_site / "x.fgbackup").exists()
