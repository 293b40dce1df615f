"""Days as the user means them: from local midnight, whatever the time zone of the stored UTC times.

The one place that finds where a day starts and ends. Midnight is looked up for each date, never
reached by adding 24 hours, so a day with a daylight-saving change is 23 or 25 hours long.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo

# Local midnight of the first and last days Python can represent may not exist in UTC (year 0,
# year 10000); ranges that reach them are open-ended instead.
_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)
_LATEST = datetime.max.replace(tzinfo=timezone.utc)


def day_range(first: date, last: date, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """Aware datetimes from midnight starting `first` to midnight after `last`, in tz (None: this
    machine's zone)."""
    end = _midnight(last + timedelta(days=1), tz, _LATEST) if last < date.max else _LATEST
    return _midnight(first, tz, _EARLIEST), end


def day_of(instant: datetime, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """day_range of the day, in tz (None: this machine's zone), that the aware `instant` falls on."""
    day = instant.astimezone(tz).date()
    return day_range(day, day, tz)


def _midnight(day: date, tz: tzinfo | None, beyond: datetime) -> datetime:
    midnight = datetime.combine(day, time())
    try:
        # The zone's offset on that date, not today's: the C library's for this machine's zone, the
        # tz rules otherwise (going through UTC also moves a midnight that a clock change skips).
        return midnight.astimezone() if tz is None else midnight.replace(tzinfo=tz).astimezone(tz)
    except (OverflowError, ValueError):
        return beyond


def same_shift(check_in: datetime, later: datetime, max_shift_s: float, tz: tzinfo | None = None) -> bool:
    """Whether `later` belongs to the shift that began at `check_in`, and so to check_in's day: it is
    on the same local day (in tz, None: this machine's zone), or less than max_shift_s after it. So
    with max_shift_s = 16 h a night shift from 22:00 to 06:00 is one day, the day it began; with 0,
    every day starts afresh at midnight."""
    if later < check_in:
        return False
    same_day = check_in.astimezone(tz).date() == later.astimezone(tz).date()
    return same_day or (later - check_in).total_seconds() < max_shift_s
