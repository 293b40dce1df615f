"""--verifier and --no-verifier where --model is offered: a verifier that is missing or not an
embedding model is one `facegate:` line and exit 2, before anything is written."""

from __future__ import annotations

import pytest

from desktop_app.cli.main import main
from tests.fixtures import ROOT

MODELS = ROOT / "assets" / "models"


@pytest.mark.parametrize(
    "verifier, says",
    [
        ("missing.onnx", "is not a model file (missing)"),
        (str(MODELS / "mtcnn_onet.onnx"), "is not a face-embedding model"),
    ],
)
@pytest.mark.parametrize("command", [["checkin", "--once"], ["unlock", "--person", "Ann", "--timeout", "1"]])
def test_a_bad_verifier_is_one_line_and_nothing_is_written(home, sample_person_folder, capsys, verifier, says, command):
    code = main([*command, "--camera", str(sample_person_folder), "--verifier", verifier])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("facegate: ") and says in err[0]
    assert list(home.iterdir()) == []  # no database, no spool, no key


def test_compare_uses_the_verifier_unless_told_not_to(home, sample_people, capsys):
    a, b = sample_people["Tom Hanks"].photos[:2]
    assert main(["compare", str(a), str(b)]) == 0
    checked = capsys.readouterr().out
    assert main(["compare", str(a), str(b), "--no-verifier"]) == 0
    alone = capsys.readouterr().out
    # Two different models' scores of the same pair: the verdict came from a different model.
    assert checked.startswith("similarity=") and alone.startswith("similarity=") and checked != alone
    stranger = sample_people["Group 2"].photos[0]
    assert main(["compare", str(a), str(stranger)]) == 1
    assert main(["compare", str(a), str(b), "--verifier", "missing.onnx"]) == 2
    assert capsys.readouterr().err.startswith("facegate: ")
