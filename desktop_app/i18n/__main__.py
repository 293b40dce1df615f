"""`python -m desktop_app.i18n update`: adds the text newly marked in the code to every
facegate_<language>.ts, for a translator to fill in (see desktop_app/i18n/__init__.py), and its
text with a count to facegate_en.ts, for the English plural forms."""

from __future__ import annotations

import sys

from desktop_app.i18n import TRANSLATED, ts_file, update


def main(argv: list[str]) -> int:
    if argv != ["update"]:
        print("usage: python -m desktop_app.i18n update", file=sys.stderr)
        return 2
    update([ts_file(language) for language in TRANSLATED])
    update([ts_file("en")], plural_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
