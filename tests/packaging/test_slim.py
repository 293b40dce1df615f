"""packaging/slim.py against the real libraries the build ships: what it strips still loads, and Qt
runs and draws the same on the empty ICU data library. (The whole frozen app: tests/packaging/test_build.py.)"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

from tests.fixtures import ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the build slims ELF libraries only")

spec = importlib.util.spec_from_file_location("slim", ROOT / "packaging" / "slim.py")
slim = importlib.util.module_from_spec(spec)
spec.loader.exec_module(slim)

NUMPY_LIBS = Path(numpy.__file__).parent.parent / "numpy.libs"
PYSIDE_LIB = Path(importlib.util.find_spec("PySide6").origin).parent / "Qt" / "lib"
# Text that goes through ICU if anything does: accents, a dotted capital I, wrapping at word breaks.
QT_PROBE = """
import sys
from PySide6.QtCore import QDateTime, QTimeZone
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv)
label = QLabel("Check-in: Zoë Äpfel, İstanbul, straße: a long line that wraps at the word breaks")
label.setWordWrap(True)
label.resize(300, 120)
label.show()
app.processEvents()
label.grab().save(sys.argv[1])
print(QTimeZone(b"Europe/Berlin").displayName(QDateTime.currentDateTime()))
"""


def loads(library: Path) -> bool:
    result = subprocess.run(
        [sys.executable, "-c", "import ctypes, sys; ctypes.CDLL(sys.argv[1])", str(library)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.returncode == 0


def test_stripped_libraries_are_kept_only_where_the_loader_accepts_them(tmp_path):
    """numpy's OpenBLAS, which auditwheel rewrote, is a library `strip` has broken; Qt's ICU strips well."""
    if not shutil.which("strip"):
        pytest.skip("strip is not installed (binutils)")
    toc = []
    for folder, pattern in ((NUMPY_LIBS, "*.so*"), (PYSIDE_LIB, "libicu*.so.*")):
        copy = tmp_path / "bundle" / folder.name
        copy.mkdir(parents=True)
        for library in sorted(folder.glob(pattern)):
            shutil.copy2(library, copy)
            toc.append((f"{folder.name}/{library.name}", str(copy / library.name), "BINARY"))
    assert any(slim.has_symbols(Path(src)) for _, src, _ in toc), "nothing here to strip: the test proves nothing"

    result, saved = slim.strip_symbols(toc, tmp_path / "work")

    assert saved == sum(Path(a).stat().st_size - Path(b).stat().st_size for (_, a, _), (_, b, _) in zip(toc, result))
    stripped = [(dest, original, src) for (dest, original, _), (_, src, _) in zip(toc, result) if src != original]
    assert stripped, "nothing was stripped"
    for dest, original, src in stripped:
        assert not slim.has_symbols(Path(src)), f"{dest} still has symbols"
        # In place of the original, beside its own dependencies as in the bundle.
        shutil.copy2(src, original)
    for dest, original, _ in toc:
        assert loads(Path(original)), f"{dest} does not load after slimming"


def test_alignment_check_agrees_with_the_loader(tmp_path):
    if not shutil.which("strip") or not NUMPY_LIBS.is_dir():
        pytest.skip("needs strip and a numpy that bundles its libraries")
    libs = tmp_path / "numpy.libs"
    shutil.copytree(NUMPY_LIBS, libs)
    for library in libs.glob("*.so*"):
        subprocess.run(["strip", "--strip-unneeded", str(library)], check=True)
    for library in libs.glob("*.so*"):
        assert slim.loads_aligned(library) == loads(library), library.name


def test_qt_draws_the_same_on_the_empty_icu_data(tmp_path):
    icu = sorted(PYSIDE_LIB.glob("libicudata.so.*"))
    if not icu:
        pytest.skip("this PySide6 ships no ICU")
    if not (shutil.which("cc") or shutil.which("gcc")):
        pytest.skip("no C compiler to build the stub with")
    dest = f"PySide6/Qt/lib/{icu[0].name}"
    result, saved = slim.empty_icu_data([(dest, str(icu[0]), "BINARY")], tmp_path / "work")
    stub = Path(result[0][1])
    assert stub != icu[0] and saved > 20 * 2**20, f"the stub saves only {saved} bytes"

    def draw(image: Path, **env: str) -> str:
        run = subprocess.run(
            [sys.executable, "-c", QT_PROBE, str(image)],
            capture_output=True,
            text=True,
            timeout=120,
            env={"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen", **env},
        )
        assert run.returncode == 0, run.stderr
        return run.stdout.strip()

    real_zone = draw(tmp_path / "real.png")
    # LD_LIBRARY_PATH comes before the wheel's RUNPATH, so libicuuc finds the stub.
    stub_zone = draw(tmp_path / "stub.png", LD_LIBRARY_PATH=str(stub.parent))
    assert real_zone and not stub_zone, "the stub was not loaded: time-zone names still come from ICU data"
    assert (tmp_path / "real.png").read_bytes() == (tmp_path / "stub.png").read_bytes()
