"""`python -m desktop_app.cli`: what the tests and a source checkout run as `facegate`."""

import sys

from desktop_app.cli import main

sys.exit(main())
