"""Period labels as published (`2016`, `2016/17`, `2014-16`, `2019 (Rev)`, `2016-17 (OT)`, ...): where each
sits in time, and its release status. Labels are never rewritten; only their order is derived.

The order is the date the period ends. The label gives the year it ends in (the last year it names); the
indicator's year type gives the month, because a bare `2016` is the academic year ending in August 2016 for
exam results, the year to 31 March 2016 for financial-year data and December 2016 for a calendar year. Two
labels ending together are ordered by the span they cover (shorter first), then by status: provisional, as
published, revised, final, other (a later release of the same period sorts after the earlier one).
See docs/indicators.md.
"""

import re
from dataclasses import dataclass

# Month in which a period of each year type ends.
END_MONTH = {
    "academic year": 8,
    "financial year": 3,
    "calendar year": 12,
    "annual (end of sept)": 9,
    "annual - january": 1,
    "annual": 12,
    "tax year": 4,
    "spring term": 4,
    "autumn term": 12,
    "summer term": 8,
}
DEFAULT_END_MONTH = 12

STATUS_BY_SUFFIX = {
    "prov": "provisional",
    "provisional": "provisional",
    "p": "provisional",
    "rev": "revised",
    "revised": "revised",
    "r": "revised",
    "final": "final",
    "f": "final",
}
STATUS_ORDER = {"provisional": 0, "": 1, "revised": 2, "final": 3, "other": 4}

_SUFFIX = re.compile(r"^(?P<body>.*?)\s*\((?P<suffix>[^()]*)\)\s*$")
_FORMS = [
    # 2016
    (re.compile(r"^(?P<a>\d{4})$"), lambda m: (int(m["a"]), int(m["a"]))),
    # 2016/17, 2016-17, 2014-16, 2016/2017, 2016-2017
    (re.compile(r"^(?P<a>\d{4})[/-](?P<b>\d{2}|\d{4})$"), lambda m: (int(m["a"]), _end(int(m["a"]), m["b"]))),
    # 2013/14-15/16: a pooled run of academic or financial years
    (re.compile(r"^(?P<a>\d{4})/\d{2}-(?P<c>\d{2})/(?P<b>\d{2})$"), lambda m: (int(m["a"]), _end(int(m["a"]), m["b"]))),
    # 201617: Explore Education Statistics' time_period for a two-year span
    (re.compile(r"^(?P<a>\d{4})(?P<b>\d{2})$"), lambda m: (int(m["a"]), _end(int(m["a"]), m["b"]))),
]


def _end(start: int, text: str) -> int:
    if len(text) == 4:
        return int(text)
    end = start // 100 * 100 + int(text)
    return end + 100 if end < start else end  # 1999/00 ends in 2000


@dataclass(frozen=True)
class Placed:
    label: str
    start_year: int
    end_year: int
    end_month: int
    status: str
    sort_key: int


def period_place(label: str, year_type: str = "") -> Placed | None:
    """Where a label sits, or None when it cannot be placed (for example LAIT's `0`)."""
    text = (label or "").strip()
    status = ""
    suffix = _SUFFIX.match(text)
    if suffix:
        text = suffix["body"].strip()
        status = STATUS_BY_SUFFIX.get(suffix["suffix"].strip().lower(), "other")
    for pattern, years in _FORMS:
        match = pattern.match(text)
        if match:
            start, end = years(match)
            if not 1900 <= start <= end <= 2200 or end - start > 20:
                return None
            month = END_MONTH.get((year_type or "").strip().lower(), DEFAULT_END_MONTH)
            span = end - start
            sort_key = ((end * 100 + month) * 100 + span) * 10 + STATUS_ORDER[status]
            return Placed(label=label, start_year=start, end_year=end, end_month=month, status=status,
                          sort_key=sort_key)
    return None
