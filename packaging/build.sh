#!/usr/bin/env bash
# Builds the FaceGate executable for this platform from a clone of the repository.
#
#   bash packaging/build.sh              one folder: dist/facegate/facegate
#   bash packaging/build.sh --onefile    one file:   dist/onefile/facegate
#   --distpath DIR, --workpath DIR       instead of dist/ and build/
#
# It builds in a virtualenv of its own, build/venv (FACEGATE_BUILD_VENV to move it), made on first use
# and again whenever pyproject.toml or the pinned versions change, because the app's environment is not
# the developer's:
#   - No training or test extras (torch, matplotlib, OpenCV) that could leak in.
# Versions are pinned to the environment you build from ($PYTHON, else the active virtualenv, else
# .venv) when there is one, so the frozen app computes what your checkout computes.
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

reference=${PYTHON:-}
if [ -z "$reference" ] && [ -n "${VIRTUAL_ENV:-}" ]; then reference=$(venv_python "$VIRTUAL_ENV"); fi
if [ -z "$reference" ] && [ -d .venv ]; then reference=$(venv_python .venv); fi

venv=${FACEGATE_BUILD_VENV:-$root/build/venv}
mkdir -p "$(dirname "$venv")"
pins=$(mktemp)
trap 'rm -f "$pins"' EXIT
if [ -n "$reference" ]; then
    # Editable and direct-URL installs cannot be pins.
    "$reference" -m pip freeze --exclude-editable | grep -viE '^facegate| @ ' > "$pins" || true
fi
stamp=$(cat pyproject.toml "$pins" | sha256sum | cut -d' ' -f1)

python=$(venv_python "$venv")
if [ "$(cat "$venv/.facegate-stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "making the build environment $venv"
    rm -rf "$venv"
    "${reference:-python3}" -m venv "$venv"
    python=$(venv_python "$venv")
    "$python" -m pip install --quiet --upgrade pip
    # The app's dependencies and PyInstaller only: the [dev] extra's test tools are not needed to build.
    "$python" -m pip install --quiet -c "$pins" -e . "pyinstaller>=6.5"
    echo "$stamp" > "$venv/.facegate-stamp"
fi

spec_args=()
if [ "$onefile" = 1 ]; then
    # Its own folder, so the one-file executable and the one-folder build can sit side by side.
    distpath=$distpath/onefile
    spec_args=(-- --onefile)
fi
# A clean work folder rather than --clean, which would also empty the PyInstaller cache that other
# builds on this machine may be reading.
rm -rf "$workpath/facegate"
"$python" -m PyInstaller --noconfirm --log-level WARN \
    --distpath "$distpath" --workpath "$workpath" packaging/facegate.spec "${spec_args[@]}"
echo "built $distpath/facegate ($(du -sh "$distpath/facegate" | cut -f1))"
