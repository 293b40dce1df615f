#!/usr/bin/env bash
# Builds the FaceGate executable for this platform from a clone of the repository.
#
#   bash packaging/build.sh              one folder: dist/facegate/facegate
#   bash packaging/build.sh --onefile    one file:   dist/onefile/facegate
#   --distpath DIR, --workpath DIR       elsewhere than dist/ and build/ (the tests build in a tmp dir)
#
# The Python it builds with: $PYTHON if set, else the active virtualenv, else .venv in the
# repository, which is created with `pip install -e ".[dev]"` when missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

onefile=0
distpath=$root/dist
workpath=$root/build
while [ $# -gt 0 ]; do
    case $1 in
        --onefile) onefile=1 ;;
        --distpath) distpath=$(realpath -m "$2"); shift ;;
        --workpath) workpath=$(realpath -m "$2"); shift ;;
        *) echo "usage: bash packaging/build.sh [--onefile] [--distpath DIR] [--workpath DIR]" >&2; exit 2 ;;
    esac
    shift
done

venv_python() {
    # Windows virtualenvs (Git Bash) keep the interpreter under Scripts/.
    if [ -x "$1/bin/python" ]; then echo "$1/bin/python"; else echo "$1/Scripts/python.exe"; fi
}
if [ -n "${PYTHON:-}" ]; then
    python=$PYTHON
elif [ -n "${VIRTUAL_ENV:-}" ]; then
    python=$(venv_python "$VIRTUAL_ENV")
else
    if [ ! -d .venv ]; then
        python3 -m venv .venv
        "$(venv_python .venv)" -m pip install -e ".[dev]"
    fi
    python=$(venv_python .venv)
fi
if ! "$python" -c "import PyInstaller" 2>/dev/null; then
    "$python" -m pip install -e ".[dev]"
fi

spec_args=()
if [ "$onefile" = 1 ]; then
    # Its own folder, so the one-file executable and the one-folder build can sit side by side.
    distpath=$distpath/onefile
    spec_args=(-- --onefile)
fi
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$distpath" --workpath "$workpath" packaging/facegate.spec "${spec_args[@]}"
built=$distpath/facegate
echo "built $built ($(du -sh "$built" | cut -f1))"
