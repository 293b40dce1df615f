"""Days as the user means them: from local midnight, whatever the time zone of the stored UTC times."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

# Local midnight of the first and last days Python can represent may not exist in UTC (year 0,
# year 10000); ranges that reach them are open-ended instead.
_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)
_LATEST = datetime.max.replace(tzinfo=timezone.utc)


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """Aware datetimes from local midnight starting `first` to local midnight after `last`."""
    end = _midnight(last + timedelta(days=1), _LATEST) if last < date.max else _LATEST
    return _midnight(first, _EARLIEST), end


def _midnight(day: date, beyond: datetime) -> datetime:
    try:
        return datetime.combine(day, time()).astimezone()
    except (OverflowError, ValueError):
        return beyond
