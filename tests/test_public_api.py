"""`core` is the one import a script needs, as face_recognition's api.py is, and importing it stays
light: the heavy rooms load when a name from them is first used."""

import subprocess
import sys

import numpy as np
import pytest

import core
from tests.fixtures import ROOT


def test_every_public_name_resolves():
    for name in core.__all__:
        assert getattr(core, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        core.nonsense  # noqa: B018 (the attribute access is the test)


def test_import_core_loads_neither_onnxruntime_nor_sqlalchemy():
    code = "import sys, core; print(sorted(m for m in ('onnxruntime', 'sqlalchemy') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


def test_a_script_identifies_a_face_with_core_alone(tmp_path):
    # The sample group photo: enrol its largest face, then the same photo names that person and
    # nobody else.
    pipeline = core.FacePipeline()
    faces = pipeline.faces(core.load_image(ROOT / "assets" / "samples" / "t1.jpg"))
    assert len(faces) >= 2
    gallery = core.Gallery(np.stack([faces[0].embedding]), [7], {7: "Ada"})
    matches = gallery.identify(np.stack([f.embedding for f in faces]), threshold=0.5)
    assert matches[0].person_id == 7 and matches[0].name == "Ada"
    assert all(m.person_id is None for m in matches[1:])
