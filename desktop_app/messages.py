"""What the CLI and the app both say to a user, worded once."""

from __future__ import annotations

from collections.abc import Sequence


def no_templates_message(model_ids: Sequence[str], upgrade: str = "facegate people upgrade") -> str:
    """A model in use that nobody enrolled has templates of: it recognises nobody. `upgrade` and the
    People page's "Make missing templates" both run core/enrol/upgrade.py."""
    return (
        f"nobody enrolled has templates of {', '.join(model_ids)}, so nobody will be recognised: run "
        f"`{upgrade}` (or Admin → People → Make missing templates) to make them from the kept face crops"
    )
