"""What the frozen executable runs: the `facegate` console script."""
import sys

from desktop_app.cli import main
from desktop_app.selftest import run_selftest

if __name__ == "__main__":
    # Stands in for cli.py's --selftest flag until cli.py has it; drop it then.
    sys.exit((0 if run_selftest() else 1) if sys.argv[1:] == ["--selftest"] else main())
