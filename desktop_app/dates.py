"""Days as the user means them: from local midnight, whatever the time zone of the stored UTC times."""
from __future__ import annotations

from datetime import date, datetime, timedelta


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """Aware datetimes from local midnight starting `first` to local midnight after `last`."""

    def midnight(day: date) -> datetime:
        return datetime.combine(day, datetime.min.time()).astimezone()

    return midnight(first), midnight(last + timedelta(days=1))
