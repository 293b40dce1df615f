"""`facegate action add|list|remove|test` as a script runs them: a webhook's secret file readable
by others is refused with one `facegate:` line, URLs are listed without passwords, a test event
reaches a real local receiver with its signature, a failing one says why (exit 2), and changes
take the admin PIN once one is set."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json

from core.actions.runners import SIGNATURE_HEADER
from core.store import Store
from core.store.pin import hash_pin
from desktop_app.cli.main import main
from tests.actions.conftest import Receiver


def test_action_commands_add_list_test_and_remove(home, tmp_path, capsys, monkeypatch):
    receiver = Receiver().start()
    try:
        secret = tmp_path / "hook.secret"
        secret.write_text("hunter2-secret\n")
        secret.chmod(0o644)
        add = ["action", "add", "hook", "--on", "check-in,attack", "--webhook", receiver.url]
        assert main([*add, "--secret-file", str(secret)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("facegate: ") and err.count("\n") == 1 and "chmod 600" in err
        assert "hunter2" not in err
        secret.chmod(0o600)
        assert main([*add, "--secret-file", str(secret)]) == 0
        assert (
            main(["action", "add", "mq", "--on", "unlock", "--mqtt", "mqtt://me:pw9@127.0.0.1", "--topic", "x/y"]) == 0
        )
        capsys.readouterr()
        assert main(["action", "list"]) == 0
        listed = capsys.readouterr().out.splitlines()
        assert listed[0].split("\t")[:3] == ["hook", "check-in,attack", "webhook"] and "signed" in listed[0]
        assert listed[1].startswith("mq\tunlock\tmqtt\tmqtt://***@127.0.0.1") and "pw9" not in listed[1]

        assert main(["action", "test", "hook"]) == 0
        headers, body = receiver.posts[0]
        assert (
            headers[SIGNATURE_HEADER.lower()]
            == "sha256=" + hmac.new(b"hunter2-secret", body, hashlib.sha256).hexdigest()
        )
        assert json.loads(body)["kind"] == "check-in" and json.loads(body)["person_id"] is None
        receiver.stop()
        assert main(["action", "test", "hook"]) == 2
        assert "could not be reached" in capsys.readouterr().err

        with Store() as store:
            settings = store.load_settings()
            store.save_settings(dataclasses.replace(settings, admin_pin_hash=hash_pin("432198")))
        monkeypatch.delenv("FACEGATE_ADMIN_PIN", raising=False)
        monkeypatch.setattr("sys.stdin.isatty", lambda: False)
        assert main(["action", "remove", "hook"]) == 2 and "PIN" in capsys.readouterr().err
        monkeypatch.setenv("FACEGATE_ADMIN_PIN", "432198")
        assert main(["action", "remove", "hook"]) == 0
        assert main(["action", "remove", "hook"]) == 2 and "no action called 'hook'" in capsys.readouterr().err
        with Store() as store:
            audit = " ".join(f"{a.action} {a.detail}" for a in store.audit_log())
        assert "test action hook: delivered" in audit and "hunter2" not in audit and "pw9" not in audit
    finally:
        receiver.stop()


def test_checkin_runs_the_action_of_its_check_in_before_it_exits(home, pipeline, sample_people, tmp_path, capsys):
    from core.enrol.enroller import Enroller
    from tests.conftest import SAMPLE_PERSON, recognition_only

    with Store() as store:
        recognition_only(store)  # the sample camera plays still photos (liveness: tests/liveness/)
        Enroller(store, pipeline).enrol_photos(SAMPLE_PERSON, sample_people[SAMPLE_PERSON].photos)
    out = tmp_path / "event.json"
    assert main(["action", "add", "log", "--on", "check-in", "--run", f"cat > {out}"]) == 0
    assert main(["checkin", "--once", "--no-verifier", "--camera", str(sample_people[SAMPLE_PERSON].camera)]) == 0
    assert capsys.readouterr().out.startswith(f"check-in: {SAMPLE_PERSON}")
    assert json.loads(out.read_text())["name"] == SAMPLE_PERSON
    with Store() as store:
        assert store.outbox_waiting() == {}


def test_bad_action_arguments_get_one_line(home, capsys):
    cases = [
        (["action", "add", "x", "--on", "lunch", "--run", "true"], "lunch"),
        (["action", "add", "x", "--on", "check-in", "--webhook", "ftp://host/x"], "http"),
        (["action", "add", "x", "--on", "check-in", "--mqtt", "mqtt://host"], "--topic"),
        (["action", "add", "x", "--on", "check-in", "--run", "true", "--secret-file", "/f"], "secret"),
        (
            ["action", "add", "x", "--on", "check-in", "--webhook", "http://a:pw5@h", "--secret-file", "/no/file"],
            "secret file",
        ),
        (["action", "test", "nobody"], "no action called"),
    ]
    for argv, said in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("facegate: ") and err.count("\n") == 1 and said in err, (argv, err)
        assert "pw5" not in err
    with Store() as store:
        assert store.actions() == []
