"""`python -m training <command>`: prepare, pool, teacher-embed, distill, and the evaluation, export
and benchmark commands when their modules are present."""

from __future__ import annotations

import argparse
import importlib

COMMAND_MODULES = ("prepare", "pool", "teacher", "distill", "evaluate", "export", "bench", "impostor", "openset", "pad")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"training.{name}")
        except ModuleNotFoundError as exc:
            # Only a module that is not there yet is skipped; a broken import inside one must show.
            if exc.name != f"training.{name}":
                raise
            continue
        module.register(subparsers)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
