"""The figures of an attendance report, per person and per day, from the Store's daily summary:
who was present on a day, and their first check-in and last check-out, are the Store's to decide
(core/store/events.py); this module only counts them against the working calendar in Settings.

Hours of a day run from the first check-in to the last check-out. A day without a check-out counts
no hours and is counted as such (`no_check_out`): guessing when someone left would make the hours
up. Late: the first check-in after the work start plus the grace, on a working day. Absent: a
working day (a working weekday that is not a holiday), up to today, without any check-in.

The Store's summary is the corrected view (voided events left out, changed times used); the
report lists the corrections of its days beside the figures, so a reader sees what was changed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from core.days import day_range
from core.i18n import QT_TRANSLATE_NOOP, Phrase
from core.settings import Settings, holiday_dates, work_start_time, working_weekdays
from core.store import Correction, DaySummary, Person, Store

# Monday first, as date.weekday() counts; the English whatever the computer's locale.
WEEKDAYS = tuple(
    Phrase("RecordTable", day)
    for day in (
        QT_TRANSLATE_NOOP("RecordTable", "Mon"),
        QT_TRANSLATE_NOOP("RecordTable", "Tue"),
        QT_TRANSLATE_NOOP("RecordTable", "Wed"),
        QT_TRANSLATE_NOOP("RecordTable", "Thu"),
        QT_TRANSLATE_NOOP("RecordTable", "Fri"),
        QT_TRANSLATE_NOOP("RecordTable", "Sat"),
        QT_TRANSLATE_NOOP("RecordTable", "Sun"),
    )
)
MISSING_OUT_RULE = QT_TRANSLATE_NOOP(
    "ReportsPage", "A day without a check-out counts 0 hours and is listed under 'no check-out'."
)


@dataclass(frozen=True)
class WorkCalendar:
    start: time
    grace_min: int
    weekdays: frozenset[int]  # Monday = 0
    holidays: frozenset[date]

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkCalendar:
        return cls(
            work_start_time(settings.work_start),
            settings.late_grace_min,
            working_weekdays(settings.working_days),
            holiday_dates(settings.holidays),
        )

    def working(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def late(self, first_in: datetime, tz: tzinfo | None) -> bool:
        local = first_in.astimezone(tz)
        return local > datetime.combine(local.date(), self.start, local.tzinfo) + timedelta(minutes=self.grace_min)

    def describe(self) -> str:
        days = " ".join(WEEKDAYS[d] for d in sorted(self.weekdays))
        holidays = ", ".join(d.isoformat() for d in sorted(self.holidays)) or "none"
        return (
            f"Work starts {self.start:%H:%M} (late after {self.grace_min} min grace); "
            f"working days {days}; holidays {holidays}. {MISSING_OUT_RULE}"
        )


@dataclass(frozen=True)
class PersonFigures:
    person_id: int
    name: str
    group: str | None
    days_present: int
    hours: float
    no_check_out: int  # days present without a check-out (0 hours each)
    late: int
    absent: int


@dataclass(frozen=True)
class DayFigures:
    day: date
    working: bool
    present: tuple[str, ...]  # names, as sorted by the daily summary


@dataclass(frozen=True)
class CorrectionLine:
    """A correction of the report's days, its times local (in the report's zone)."""

    made: str  # when the correction was made
    name: str
    kind: str
    action: str  # add, edit or void
    change: str  # "08:12 -> 08:00", "-> 17:00" for an add, "08:12 ->" for a void
    reason: str
    actor: str


@dataclass(frozen=True)
class Report:
    first: date
    last: date
    calendar: WorkCalendar
    people: tuple[PersonFigures, ...]
    days: tuple[DayFigures, ...]
    # Local time of day of each first check-in, in hours (9.5 = 09:30): the arrivals chart.
    arrivals: tuple[float, ...]
    title: str
    corrections: tuple[CorrectionLine, ...] = ()

    @property
    def working_days(self) -> int:
        return sum(d.working for d in self.days)


def build_report(
    store: Store,
    first: date,
    last: date,
    person_id: int | None = None,
    group: str | None = None,
    tz: tzinfo | None = None,
    today: date | None = None,
) -> Report:
    """The report of days first..last (inclusive, in tz; None = this machine's zone) for one person,
    one group or everyone. Active people are listed even if never present; deactivated people when
    present. Absences count only up to today (default: today in tz)."""
    today = today or datetime.now(tz).date()
    summary = [
        d
        for d in store.daily_summary(*day_range(first, last, tz), tz)
        if (person_id is None or d.person_id == person_id) and (group is None or d.group == group)
    ]
    listed = {p.id: p for p in store.list_people() if _chosen(p, person_id, group)}
    present_ids = {d.person_id for d in summary}
    listed |= {p.id: p for p in store.list_people(include_inactive=True) if p.id in present_ids}
    calendar = WorkCalendar.from_settings(store.load_settings())
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    people = sorted(
        (_person(p, [d for d in summary if d.person_id == p.id], days, calendar, tz, today) for p in listed.values()),
        key=lambda f: (f.name.casefold(), f.person_id),
    )
    per_day = tuple(
        DayFigures(day, calendar.working(day), tuple(d.name for d in summary if d.day == day)) for day in days
    )
    arrivals = tuple(_hour_of_day(d.first_in, tz) for d in summary if d.first_in)
    who = f" — {people[0].name}" if person_id is not None and people else f" — group {group}" if group else ""
    title = f"Attendance {first.isoformat()} to {last.isoformat()}{who}"
    trail = tuple(
        _correction(c, tz) for c in store.corrections(*day_range(first, last, tz), person_id) if c.person_id in listed
    )
    return Report(first, last, calendar, tuple(people), per_day, arrivals, title, trail)


def _correction(c: Correction, tz: tzinfo | None) -> CorrectionLine:
    def local(when: datetime | None) -> str:
        return "" if when is None else f"{when.astimezone(tz):%Y-%m-%d %H:%M}"

    change = f"{local(c.old_time)} -> {local(c.new_time)}".strip()
    return CorrectionLine(local(c.time), c.name, c.kind, c.action, change, c.reason, c.actor)


def _chosen(person: Person, person_id: int | None, group: str | None) -> bool:
    return (person_id is None or person.id == person_id) and (group is None or person.group == group)


def _person(
    person: Person,
    days: Sequence[DaySummary],
    every_day: Sequence[date],
    calendar: WorkCalendar,
    tz: tzinfo | None,
    today: date,
) -> PersonFigures:
    present = {d.day for d in days}
    # In buttons mode a check-out can follow no check-in (first_in None): present, but no hours.
    worked = [d for d in days if d.last_out is not None and d.first_in is not None]
    return PersonFigures(
        person.id,
        person.name,
        person.group,
        days_present=len(present),
        hours=sum((d.last_out - d.first_in).total_seconds() for d in worked if d.last_out and d.first_in) / 3600,
        no_check_out=sum(d.last_out is None for d in days),
        late=sum(bool(d.first_in and calendar.working(d.day) and calendar.late(d.first_in, tz)) for d in days),
        absent=sum(calendar.working(day) and day <= today and day not in present for day in every_day),
    )


def _hour_of_day(when: datetime, tz: tzinfo | None) -> float:
    local = when.astimezone(tz)
    return local.hour + local.minute / 60 + local.second / 3600
