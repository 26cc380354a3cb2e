"""Call-in deadlines, with expected values worked out by hand from a calendar."""

from datetime import date

import pytest

from apa.calendar import (
    CallInRuleSpec,
    add_working_days,
    callin_deadline,
    is_working_day,
    parse_deadline_time,
)


def test_state_funeral_2022_published_friday_16_september():
    # Mon 19 Sep 2022 was the State Funeral: Tue 20, Wed 21, Thu 22, Fri 23, Mon 26.
    result = callin_deadline(published=date(2022, 9, 16), rule=CallInRuleSpec(5, "publication", "16:00"))
    assert result.deadline.isoformat() == "2022-09-26T16:00:00+01:00"
    assert result.effective_from == date(2022, 9, 27)


def test_stockton_record_across_christmas_and_new_year():
    # Published Fri 21 Dec 2007. Working days: Mon 24, (Tue 25, Wed 26 bank holidays) Thu 27, Fri 28, Mon 31,
    # (Tue 1 Jan bank holiday) Wed 2, Thu 3 Jan 2008: "not later than midnight on Thursday 3rd January 2008".
    result = callin_deadline(published=date(2007, 12, 21), rule=CallInRuleSpec(6, "publication", "midnight"))
    assert result.deadline.isoformat() == "2008-01-03T23:59:59+00:00"
    assert result.effective_from == date(2008, 1, 4)


def test_easter_2025_good_friday_and_easter_monday_excluded():
    # Published Thu 17 Apr 2025: Fri 18 Good Friday, Mon 21 Easter Monday; Tue 22 .. Mon 28 is the fifth.
    result = callin_deadline(published=date(2025, 4, 17))
    assert result.deadline.isoformat() == "2025-04-28T23:59:59+01:00"
    assert result.effective_from == date(2025, 4, 29)


def test_publication_day_never_counts_even_when_a_working_day():
    assert add_working_days(date(2025, 6, 2), 1) == date(2025, 6, 3)  # Monday → Tuesday


def test_council_closure_days_are_skipped():
    closures = (date(2025, 12, 29), date(2025, 12, 30), date(2025, 12, 31))
    # Published Tue 23 Dec 2025: Wed 24 (1), Thu 25 and Fri 26 bank holidays, 29-31 closed, Thu 1 Jan holiday,
    # Fri 2 Jan (2), Mon 5 (3).
    result = callin_deadline(published=date(2025, 12, 23), rule=CallInRuleSpec(3, "publication", "17:00", closures))
    assert result.deadline.isoformat() == "2026-01-05T17:00:00+00:00"


def test_counting_from_the_decision():
    # Decided Wed 10 Sep 2025, published Fri 12 Sep: 2 working days from the decision → Fri 12 Sep.
    result = callin_deadline(published=date(2025, 9, 12), decided=date(2025, 9, 10),
                             rule=CallInRuleSpec(2, "decision", "12:00"))
    assert result.deadline.isoformat() == "2025-09-12T12:00:00+01:00"
    with pytest.raises(ValueError, match="decision date"):
        callin_deadline(published=date(2025, 9, 12), rule=CallInRuleSpec(2, "decision", "12:00"))


def test_weekends_and_bank_holidays_are_not_working_days():
    assert not is_working_day(date(2025, 8, 25))  # summer bank holiday
    assert not is_working_day(date(2025, 8, 23))  # Saturday
    assert is_working_day(date(2025, 8, 26))


@pytest.mark.parametrize("text,expected", [("midnight", "midnight"), ("16:00", "16:00"), ("9:05", "09:05")])
def test_deadline_times(text, expected):
    assert parse_deadline_time(text) == expected


def test_bad_deadline_time():
    with pytest.raises(ValueError, match="HH:MM"):
        parse_deadline_time("4pm")
