"""`facegate enroll` refusing another person's photos, and `facegate people templates|remove-template|upgrade`."""

from core.store import Store
from desktop_app.cli import main

TOM, OTHER = "Tom Hanks", "Group 1"


def _store(home) -> Store:
    return Store(f"sqlite:///{(home / 'facegate.db').as_posix()}")


def _photos(sample_people, name) -> list[str]:
    return [str(p) for p in sample_people[name].photos]


def test_another_persons_photos_are_refused_in_one_line_and_forced_in(home, sample_people, capsys):
    assert main(["enroll", TOM, *_photos(sample_people, TOM)]) == 0
    capsys.readouterr()
    with _store(home) as store:
        before = len(store.template_crops())
    assert main(["enroll", "tom hanks", *_photos(sample_people, OTHER)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("facegate: photo0.jpg does not match Tom Hanks's templates") and "--force" in err
    with _store(home) as store:
        assert len(store.template_crops()) == before  # nothing written

    assert main(["enroll", "tom hanks", *_photos(sample_people, OTHER), "--force"]) == 0
    assert f"added to {TOM} (#1): 3 templates" in capsys.readouterr().out
    with _store(home) as store:
        assert len(store.template_crops()) == before + 6
        assert "forced: photo0.jpg does not match" in store.audit_log()[0].detail


def test_a_new_name_for_an_enrolled_face_is_refused(home, sample_people, capsys):
    assert main(["enroll", TOM, *_photos(sample_people, TOM)]) == 0
    capsys.readouterr()
    assert main(["enroll", "Thomas", *_photos(sample_people, TOM)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("facegate: these faces already match Tom Hanks (#1, ") and len(err.splitlines()) == 1
    with _store(home) as store:
        assert store.find_person_by_name("Thomas") is None


def test_templates_are_listed_and_one_face_removed(home, sample_people, capsys):
    assert main(["enroll", TOM, *_photos(sample_people, TOM)]) == 0
    capsys.readouterr()
    assert main(["people", "templates", TOM]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6  # three faces, by the student and by the verifier
    first = lines[0].split("\t")
    assert first[2] == "photo photo0.jpg" and len(first) == 4
    assert main(["people", "remove-template", first[0]]) == 0
    assert f"removed from {TOM}: #{first[0]} (" in capsys.readouterr().out
    assert main(["people", "templates", "#1"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4
    assert main(["people", "remove-template", first[0]]) == 2
    assert capsys.readouterr().err.startswith(f"facegate: there is no template #{first[0]}")


def test_upgrade_makes_verifier_templates_and_names_who_to_enrol_again(home, sample_people, pipeline, capsys):
    from dataclasses import replace

    from core.enrol.enroller import Enroller
    from core.vision.pipeline import FacePipeline

    with _store(home) as store:
        student_only = Enroller(store, FacePipeline(pipeline.detector, pipeline.embedder, verifier=None))
        settings = store.load_settings()
        store.save_settings(replace(settings, keep_face_crops=False))
        student_only.enrol_photos(OTHER, sample_people[OTHER].photos)
        store.save_settings(settings)
        student_only.enrol_photos(TOM, sample_people[TOM].photos)
    assert main(["people", "upgrade"]) == 0
    out, err = capsys.readouterr()
    assert "3/3 faces" in err
    assert out.splitlines() == [
        "made 3 templates from kept crops, retired 0",
        f"enrol again: {OTHER} (no kept face crop to make templates from)",
    ]
    with _store(home) as store:
        assert store.template_count(pipeline.verifier.model_id) == 3
