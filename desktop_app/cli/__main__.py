"""`python -m desktop_app.cli`: what the tests and a source checkout run as `facegate`."""

import sys

from desktop_app.cli import main

# Guarded: walking the package's modules (tests/test_layers.py) imports this one too.
if __name__ == "__main__":
    sys.exit(main())
