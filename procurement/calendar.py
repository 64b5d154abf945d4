"""Working days (工作日) for minimum tender periods and the stand-still period.

The calendar is pluggable: ``settings.TONGZHOU_PROCUREMENT_CALENDAR`` names a class with
``is_working_day(date) -> bool``. The default counts Monday-Friday, minus the dates listed in
``settings.TONGZHOU_PROCUREMENT_HOLIDAYS`` (ISO strings); a full official holiday calendar with
make-up working days can replace it without touching the services.
"""

import datetime as dt
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class WeekdayCalendar:
    def __init__(self, holidays: list[str] | tuple[str, ...] = ()) -> None:
        self.holidays = {dt.date.fromisoformat(d) for d in holidays}

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.holidays


@lru_cache(maxsize=4)
def _calendar(path: str, holidays: tuple[str, ...]):
    return import_string(path)(holidays)


def calendar():
    return _calendar(
        getattr(settings, "TONGZHOU_PROCUREMENT_CALENDAR", "procurement.calendar.WeekdayCalendar"),
        tuple(getattr(settings, "TONGZHOU_PROCUREMENT_HOLIDAYS", ())),
    )


def working_days_between(start: dt.datetime, end: dt.datetime) -> int:
    """Whole working days after the day of ``start`` up to and including the day of ``end``."""
    cal = calendar()
    day = timezone.localtime(start).date()
    last = timezone.localtime(end).date()
    if (last - day).days > 366:
        # Far beyond any minimum period; do not walk a deadline in year 9999 day by day.
        return (last - day).days // 7 * 5
    count = 0
    while day < last:
        day += dt.timedelta(days=1)
        if cal.is_working_day(day):
            count += 1
    return count


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The same local time ``days`` working days after ``start``."""
    cal = calendar()
    moment = timezone.localtime(start)
    added = 0
    while added < days:
        moment += dt.timedelta(days=1)
        if cal.is_working_day(moment.date()):
            added += 1
    return moment
