"""What the frozen executable runs: the `facegate` console script."""

import sys

from desktop_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
