"""core imports neither Qt nor torch; desktop_app never imports training; training never the app;
neither core nor desktop_app imports OpenCV.

Two checks per layer: every module's import statements, read from the source (so an import
inside a function, as the CLI and training's command table do, counts as much as one at the
top), and what importing every module actually loads (so a dependency pulled in by a third
party counts too).
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

LAYERS = {
    # No OpenCV at run time either (images: Pillow; video: Qt Multimedia): it was half the executable.
    "core": {"PySide6", "torch", "desktop_app", "training", "cv2"},
    "desktop_app": {"torch", "training", "cv2"},
    "training": {"desktop_app", "PySide6"},
}

CHECK = """
import sys, importlib, pkgutil
import {package}
for info in pkgutil.walk_packages({package}.__path__, "{package}."):
    if info.name.split(".")[-1] not in {skip}:
        importlib.import_module(info.name)
bad = sorted(m for m in sys.modules if m.split(".")[0] in {forbidden})
print(",".join(bad))
"""


def imported_packages(path: Path) -> set[str]:
    """Top-level names of every absolute import anywhere in the file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_no_module_names_a_forbidden_layer(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & LAYERS[package])
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert {file: bad for file, bad in offenders.items() if bad} == {}


def test_the_walk_sees_imports_inside_functions(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def main():\n    from desktop_app.cli import main\n    import PySide6.QtCore\n")
    assert imported_packages(sample) == {"desktop_app", "PySide6"}


@pytest.mark.parametrize(
    "package, skip",
    [("core", {"env", "versions"}), ("desktop_app", set())],
)
def test_layer_imports_alone(package, skip):
    code = CHECK.format(package=package, forbidden=LAYERS[package], skip=skip)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"{package} pulled in {result.stdout.strip()}"


def test_training_never_loads_the_app():
    pytest.importorskip("torch")
    code = CHECK.format(package="training", forbidden=LAYERS["training"], skip=set())
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"training pulled in {result.stdout.strip()}"


# The rooms of core, in the frame's order. A module may import its own room and the rooms before
# it, never one after: the store sits below matching (calibrate and the gallery read it) and below
# the kiosk, which drives everything; actions act on what the kiosk decided, and reports read what
# was stored. The plain modules at the top of core are the floor.
CORE_ROOMS = ["", "vision", "liveness", "store", "matching", "enrol", "kiosk", "actions", "reports", "benchmark"]


def _room(module: str) -> str:
    room = module.split(".")[1] if "." in module else ""
    return room if room in CORE_ROOMS else ""


def core_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level and node.module.startswith("core."):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("core."))
    return found


def test_core_rooms_import_only_downstream_of_the_frame():
    upward = {}
    for path in sorted((ROOT / "core").rglob("*.py")):
        if "migrations" in path.parts or path.name == "__init__.py" and path.parent == ROOT / "core":
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        rank = CORE_ROOMS.index(_room(module))
        bad = sorted(m for m in core_imports(path) if CORE_ROOMS.index(_room(m)) > rank)
        if bad:
            upward[module] = bad
    assert upward == {}


def test_room_order_sees_an_upward_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from core.kiosk.kiosk import Kiosk\nfrom core.types import Face\n")
    assert core_imports(sample) == {"core.kiosk.kiosk", "core.types"}
    assert CORE_ROOMS.index(_room("core.kiosk.kiosk")) > CORE_ROOMS.index(_room("core.store.facade"))
    assert _room("core.types") == "" and _room("core.benchmark") == "benchmark" and _room("core.vision") == "vision"
