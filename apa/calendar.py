"""The calendar in one place: bank holidays of England and Wales, working days and call-in deadlines.

Working days exclude weekends, the bank holidays of England and Wales (the `holidays` package, offline,
including one-off days such as the State Funeral on 19 September 2022) and a council's own closure days.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
MIDNIGHT = "midnight"  # the end of the day: 23:59:59


def bank_holidays(years) -> dict[date, str]:
    # England and Wales share their bank holidays; the package's subdivision "ENG" lists them.
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=list(years)).items())


def is_working_day(day: date, closures: frozenset[date] = frozenset()) -> bool:
    return day.weekday() < 5 and day not in bank_holidays([day.year]) and day not in closures


def add_working_days(start: date, n: int, closures=frozenset()) -> date:
    """The n-th working day after `start`; `start` itself never counts."""
    if n < 1:
        raise ValueError("the number of working days must be at least 1")
    closures = frozenset(closures)
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(day, closures):
            counted += 1
    return day


def next_working_day(day: date, closures=frozenset()) -> date:
    return add_working_days(day, 1, closures)


@dataclass(frozen=True)
class CallInRuleSpec:
    working_days: int = 5
    count_from: str = "publication"  # or "decision"
    deadline_time: str = MIDNIGHT  # "HH:MM" or "midnight"
    closures: tuple[date, ...] = ()

    def as_dict(self) -> dict:
        data = asdict(self)
        data["closures"] = [d.isoformat() for d in self.closures]
        return data


DEFAULT_RULE = CallInRuleSpec()


def parse_deadline_time(text: str) -> str:
    """'midnight' or 'HH:MM'; raises ValueError with a sentence."""
    text = (text or "").strip().lower()
    if text == MIDNIGHT:
        return MIDNIGHT
    try:
        parsed = datetime.strptime(text, "%H:%M").time()
    except ValueError:
        raise ValueError(f"{text!r} is not a deadline time; use HH:MM (24-hour) or midnight") from None
    return parsed.strftime("%H:%M")


@dataclass(frozen=True)
class CallInDeadline:
    deadline: datetime  # aware, Europe/London
    effective_from: date
    rule: CallInRuleSpec

    def as_dict(self) -> dict:
        return {
            "deadline": self.deadline.isoformat(timespec="seconds"),
            "effective_from": self.effective_from.isoformat(),
            "rule": self.rule.as_dict(),
        }


def callin_deadline(*, published: date, decided: date | None = None, rule: CallInRuleSpec = DEFAULT_RULE) -> CallInDeadline:
    """Count the rule's working days from the day after publication (or the decision); the deadline is the
    rule's time on the last of them, and the decision takes effect the calendar day after, unless called in."""
    if rule.count_from not in ("publication", "decision"):
        raise ValueError("count from 'publication' or 'decision'")
    if rule.count_from == "decision" and decided is None:
        raise ValueError("this rule counts from the decision date: give the date the decision was made")
    start = published if rule.count_from == "publication" else decided
    last = add_working_days(start, rule.working_days, rule.closures)
    at = time(23, 59, 59) if rule.deadline_time == MIDNIGHT else datetime.strptime(rule.deadline_time, "%H:%M").time()
    deadline = datetime.combine(last, at, tzinfo=LONDON)
    return CallInDeadline(deadline=deadline, effective_from=last + timedelta(days=1), rule=rule)
