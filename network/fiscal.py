"""Japanese fiscal years (April to March) and their era labels (令和3年度).

A fiscal year is named by the calendar year it starts in: FY2021 runs from 1 April 2021 to
31 March 2022. Its Japanese label uses the era of that calendar year, the era that began in
a year counting that year as its first (元年): FY2019 is 令和元年度 although April 2019 was
still Heisei, FY2018 is 平成30年度, FY1989 is 平成元年度.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

FISCAL_YEAR_START_MONTH = 4


@dataclass(frozen=True)
class Era:
    name: str  # 令和
    romaji: str  # Reiwa
    starts_on: date


# Newest first. Adding an era is a line here, not a branch in the code.
ERAS: tuple[Era, ...] = (
    Era("令和", "Reiwa", date(2019, 5, 1)),
    Era("平成", "Heisei", date(1989, 1, 8)),
    Era("昭和", "Showa", date(1926, 12, 25)),
    Era("大正", "Taisho", date(1912, 7, 30)),
    Era("明治", "Meiji", date(1868, 10, 23)),
)


def fiscal_year_of(day: date | datetime) -> int:
    """The fiscal year a date (or an aware datetime, taken in Asia/Tokyo) falls in."""
    if isinstance(day, datetime):
        day = timezone.localdate(day) if timezone.is_aware(day) else day.date()
    return day.year if day.month >= FISCAL_YEAR_START_MONTH else day.year - 1


def fiscal_year_bounds(fiscal_year: int) -> tuple[date, date]:
    """First and last day of a fiscal year, both inclusive."""
    return date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31)


def era_of_year(year: int) -> tuple[Era, int]:
    """The era naming a calendar year and the year's number in it (1 is 元年)."""
    for era in ERAS:
        if era.starts_on.year <= year:
            return era, year - era.starts_on.year + 1
    raise ValueError(f"no era is known for the year {year}")


def fiscal_year_label(fiscal_year: int) -> str:
    """`令和3年度` in Japanese, `FY2021 (Reiwa 3)` in English (the active language)."""
    era, number = era_of_year(fiscal_year)
    ordinal = "元" if number == 1 else str(number)
    # Translators: Japanese renders this as %(era)s%(year)s年度, e.g. 令和3年度 (元 for 1).
    # xgettext:no-python-format
    return _("FY%(western)s (%(romaji)s %(number)s)") % {
        "era": era.name,
        "year": ordinal,
        "western": fiscal_year,
        "romaji": era.romaji,
        "number": number,
    }
