from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from network.fiscal import (
    ERAS,
    era_of_year,
    fiscal_year_bounds,
    fiscal_year_label,
    fiscal_year_of,
)

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [
        (date(2022, 3, 31), 2021),
        (date(2022, 4, 1), 2022),
        (date(2021, 4, 1), 2021),
        (date(2021, 12, 31), 2021),
        (date(2022, 1, 1), 2021),
    ],
)
def test_fiscal_year_turns_on_the_first_of_april(day, fiscal_year):
    assert fiscal_year_of(day) == fiscal_year


def test_fiscal_year_of_a_datetime_is_taken_in_tokyo():
    # 2022-03-31 15:30 UTC is already 1 April 00:30 in Tokyo: the new fiscal year.
    utc_evening = datetime(2022, 3, 31, 15, 30, tzinfo=ZoneInfo("UTC"))
    assert fiscal_year_of(utc_evening) == 2022
    assert fiscal_year_of(datetime(2022, 3, 31, 23, 59, tzinfo=TOKYO)) == 2021


def test_fiscal_year_bounds_run_april_to_march():
    assert fiscal_year_bounds(2021) == (date(2021, 4, 1), date(2022, 3, 31))


@pytest.mark.parametrize(
    ("fiscal_year", "label"),
    [
        (2021, "令和3年度"),
        (2020, "令和2年度"),
        (2019, "令和元年度"),  # April 2019 was still Heisei; the year is named 令和元年度
        (2018, "平成30年度"),
        (1989, "平成元年度"),
        (1988, "昭和63年度"),
        (2026, "令和8年度"),
    ],
)
def test_fiscal_year_label_in_japanese(fiscal_year, label):
    with translation.override("ja"):
        assert fiscal_year_label(fiscal_year) == label


def test_fiscal_year_label_in_english():
    with translation.override("en"):
        assert fiscal_year_label(2019) == "FY2019 (Reiwa 1)"
        assert fiscal_year_label(2018) == "FY2018 (Heisei 30)"


def test_era_changes_on_its_first_day():
    reiwa, heisei = ERAS[0], ERAS[1]
    assert reiwa.starts_on == date(2019, 5, 1)
    assert era_of_year(2019) == (reiwa, 1)
    assert era_of_year(2018) == (heisei, 30)


def test_eras_are_listed_newest_first():
    starts = [era.starts_on for era in ERAS]
    assert starts == sorted(starts, reverse=True)


def test_year_before_any_known_era_is_an_error():
    with pytest.raises(ValueError):
        era_of_year(1800)
