"""The `facegate` command line: main.py parses and dispatches (and owns the exit codes), one module
per group of commands does the work."""

from desktop_app.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
