"""What the frozen executable runs: the `facegate` console script."""

import multiprocessing
import sys

from desktop_app.cli import main

if __name__ == "__main__":
    # `bench site` starts its kiosks with multiprocessing's spawn: frozen, each child is this
    # executable again, and freeze_support() makes it the child instead of the CLI.
    multiprocessing.freeze_support()
    sys.exit(main())
