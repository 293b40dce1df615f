"""core imports neither Qt nor torch; desktop_app never imports training; training never the app."""
import subprocess
import sys

import pytest

CHECK = """
import sys, importlib, pkgutil
import {package}
for info in pkgutil.walk_packages({package}.__path__, "{package}."):
    if info.name.split(".")[-1] not in {skip}:
        importlib.import_module(info.name)
bad = sorted(m for m in sys.modules if m.split(".")[0] in {forbidden})
print(",".join(bad))
"""


@pytest.mark.parametrize(
    "package, forbidden, skip",
    [
        ("core", {"PySide6", "torch", "desktop_app", "training"}, {"env", "versions"}),
        ("desktop_app", {"torch", "training"}, set()),
    ],
)
def test_layer_imports_alone(package, forbidden, skip):
    code = CHECK.format(package=package, forbidden=forbidden, skip=skip)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"{package} pulled in {result.stdout.strip()}"


def test_training_never_imports_the_app():
    pytest.importorskip("torch")
    code = "import sys, training.__main__; print(','.join(m for m in sys.modules if m.startswith(('desktop_app','PySide6'))))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
