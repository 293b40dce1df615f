"""`python -m training <command>`: prepare, pool, teacher-embed, distill, and the evaluation, export
and benchmark commands when their modules are present."""

from __future__ import annotations

import argparse
import importlib

from training.errors import TrainingError

# The modules that register the commands, in the order --help lists them.
COMMAND_MODULES = (
    "training.prepare",
    "training.pool",
    "training.teacher",
    "training.distill",
    "training.eval.evaluate",
    "training.export",
    "training.eval.bench",
    "training.eval.impostor",
    "training.eval.openset",
    "training.pad.train",
)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            # Only a module that is not there yet is skipped; a broken import inside one must show.
            if exc.name != module_name:
                raise
            continue
        module.register(subparsers)
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except TrainingError as exc:
        # The message alone on stderr and exit status 1, as the commands have always reported.
        raise SystemExit(str(exc)) from None


if __name__ == "__main__":
    main()
