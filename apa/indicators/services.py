"""Change indicator data: imports (LAIT, Explore Education Statistics, plain CSV/XLSX), the judgement areas
indicators inform, and officers' flags on values.

Every import goes through `indicator_values_import`: the file, already read into one table of values
(readers.py), is checked as a whole — any problem refuses the lot, one line per problem — compared with what
is stored, and only then written, in one transaction: new values inserted, changed values updated with a
history row each, identical values left alone. A re-import that changes nothing writes nothing.

The values are compared and written in storage.py, through the database's bulk paths (executemany on SQLite,
COPY on PostgreSQL): through the ORM the whole LAIT set takes several times longer than the five seconds it is
allowed.
"""

from dataclasses import dataclass, field

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from apa.accounts.permissions import require
from apa.authorities.models import Authority
from apa.errors import ApaError, Problem

from . import storage
from .lait_reader import lait_read
from .models import (
    AREAS,
    AreaValue,
    Flag,
    FlagStatus,
    Import,
    Indicator,
    IndicatorOutcome,
    IndicatorPeriod,
    Topic,
    Value,
)
from .periods import period_place
from .readers import DATA_DIR, MAX_PROBLEMS, Reading, default_outcomes, outcome_codes, sha256
from .signals import period_lock_checked

LAIT_VALUES = DATA_DIR / "bds_long_0.parquet"
LAIT_DICTIONARY = DATA_DIR / "lait_data_dictionary.csv"


# ----------------------------------------------------------------------------------------------------------
# Judgement areas


@transaction.atomic
def indicator_outcomes_set(*, indicator: Indicator, outcomes: list[str] | None, actor) -> list[str]:
    """Set the outcomes an indicator informs — a person's choice, which later loads keep — or, with None,
    go back to the default from its topics."""
    require("indicators.import_values", actor, indicator)
    known = outcome_codes()
    if outcomes is not None:
        unknown = [o for o in outcomes if o not in known]
        if unknown:
            raise ApaError(Problem(f"unknown outcome {', '.join(unknown)}; use {', '.join(known)}"))
        wanted, edited = list(dict.fromkeys(outcomes)), True
    else:
        wanted, edited = default_outcomes(topics=[t.name for t in indicator.topics.all()]), False
    IndicatorOutcome.objects.filter(indicator=indicator).exclude(outcome__in=wanted).delete()
    have = set(IndicatorOutcome.objects.filter(indicator=indicator).values_list("outcome", flat=True))
    IndicatorOutcome.objects.bulk_create(
        [IndicatorOutcome(indicator=indicator, outcome=o) for o in wanted if o not in have]
    )
    if indicator.outcomes_edited != edited:
        indicator.outcomes_edited = edited
        indicator.save(update_fields=["outcomes_edited"])
    return wanted


# ----------------------------------------------------------------------------------------------------------
# Imports


@dataclass
class ImportSummary:
    source: str
    fmt: str
    rows: int = 0
    indicators_new: int = 0
    indicators_updated: int = 0
    periods_new: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    import_id: int | None = None
    dry_run: bool = False

    def __str__(self) -> str:
        text = (
            f"{self.source} ({self.fmt}): {self.rows:,} rows; indicators {self.indicators_new} new, "
            f"{self.indicators_updated} updated; periods {self.periods_new:,} new; values {self.created:,} new, "
            f"{self.changed:,} changed, {self.unchanged:,} unchanged"
        )
        if self.warnings:
            text += f"; {len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}"
        if self.dry_run:
            return text + " (dry run: nothing written)"
        return text + ("" if self.import_id else " (nothing to write)")


def _problems_raise(problems: list[Problem]) -> None:
    if not problems:
        return
    problems = sorted(problems, key=lambda p: (p.row is None, p.row or 0))
    if len(problems) > MAX_PROBLEMS:
        extra = len(problems) - MAX_PROBLEMS
        problems = problems[:MAX_PROBLEMS] + [Problem(f"... and {extra:,} more problems")]
    problems.append(Problem("nothing was imported; correct the file and import it again"))
    raise ApaError(problems)


class _Reported:
    """A progress bar that tells a function (values written, values to write) instead of a terminal: a
    background job's progress page."""

    def __init__(self, total: int, report):
        self.total, self.done, self.report = total, 0, report
        report(0, total)

    def update(self, n: int = 1) -> None:
        self.done += n
        self.report(self.done, self.total)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


def _progress(total: int, desc: str, enabled):
    """`enabled`: True or False (a bar on the terminal or none), None (a bar only on a terminal, so logs and
    pipes stay clean), or a function called with (done, total) as values are written."""
    if callable(enabled):
        return _Reported(total, enabled)
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="value", unit_scale=True, leave=False,
                disable=None if enabled is None else not enabled)


SYSTEM_JOB = "system"  # the actor recorded for an import no person ran


def indicator_values_import(
    *, reading: Reading, actor=None, progress=False, dry_run: bool = False
) -> ImportSummary:
    """Apply a reading wholly or not at all (see the module docstring). A dry run does everything, then rolls
    back, so it reports exactly what an import would change.

    `actor` is the account importing, which must hold indicators.import_values. None means a system job with
    no person behind it (`apa init` loading the shipped set, a test's set-up), recorded as SYSTEM_JOB; no
    command a person types passes None (`apa indicators import` needs --as). `progress`: see _progress."""
    if actor is not None:
        require("indicators.import_values", actor)
    actor_name = SYSTEM_JOB if actor is None else actor.username
    problems = list(reading.problems)
    b = reading.batch
    summary = ImportSummary(source=reading.source, fmt=reading.fmt, rows=len(b), warnings=list(reading.warnings),
                            dry_run=dry_run)
    with transaction.atomic():
        _lock_imports()
        indicators = {i.code: i for i in Indicator.objects.all()}

        known = np.array([c in indicators or c in reading.specs for c in b.codes] or [True], dtype=bool)
        for i in np.flatnonzero(~known[b.code])[:MAX_PROBLEMS] if len(b) else []:
            problems.append(Problem(f"indicator {b.codes[b.code[i]]!r} is not in the catalogue; define it first "
                                    "(with a LAIT dictionary or a mapping file)", int(b.row[i]), "indicator"))

        # Each distinct area once: an authority (its id) or England or a region (its index in AREAS).
        authority_ids = dict(Authority.objects.values_list("dfe_code", "pk"))
        area_authority = np.array([authority_ids.get(a, -1) for a in b.areas] or [-1], dtype="int64")
        area_index = np.array([AREAS.index(a) if a in AREAS else -1 for a in b.areas] or [-1], dtype="int64")
        for j, text in enumerate(b.areas):
            if text and area_authority[j] < 0 and area_index[j] < 0:
                for i in np.flatnonzero(b.area == j)[:MAX_PROBLEMS]:
                    problems.append(Problem(f"{text!r} is not the DfE code of an authority, England or a region",
                                            int(b.row[i]), "authority"))

        # Each distinct (indicator, period label) once: where it sits in time.
        year_types = {c: i.year_type for c, i in indicators.items()}
        year_types.update({c: s.year_type for c, s in reading.specs.items()})
        n_labels = max(len(b.labels), 1)
        pair_uniq, pair = np.unique(b.code * n_labels + b.period, return_inverse=True)
        pairs = [(b.codes[u // n_labels], b.labels[u % n_labels]) for u in pair_uniq.tolist()]
        placed = [period_place(label, year_types.get(code, "")) for code, label in pairs]
        keep = np.ones(len(b), dtype=bool)
        unplaced = np.array([p is None for p in placed] or [False], dtype=bool)
        if unplaced.any():
            in_unplaced = unplaced[pair]
            carries = in_unplaced & np.isfinite(b.value)
            for i in np.flatnonzero(carries)[:MAX_PROBLEMS]:
                problems.append(Problem(f"period {b.labels[b.period[i]]!r} cannot be placed in time; use a "
                                        "year such as 2016, 2016/17, 2016-17 or 2014-16", int(b.row[i]), "period"))
            with_values = set(pair[carries].tolist())
            for j in np.flatnonzero(unplaced):
                if j not in with_values:
                    code, label = pairs[j]
                    summary.warnings.append(f"period {label!r} of {code!r} cannot be placed in time and carries "
                                            "no values: skipped")
            keep &= ~in_unplaced

        # One value per indicator, period and area.
        key = pair.astype("int64") * max(len(b.areas), 1) + b.area
        order = np.argsort(key, kind="stable")
        repeated = order[1:][key[order][1:] == key[order][:-1]]
        for i in np.sort(repeated)[:MAX_PROBLEMS]:
            code, label = pairs[pair[i]]
            problems.append(Problem(f"a second value for {code!r} in {label!r} for {b.areas[b.area[i]]}",
                                    int(b.row[i])))
        _problems_raise(problems)

        _apply(reading=reading, keep=keep, pair=pair, pairs=pairs, placed=placed, indicators=indicators,
               area_authority=area_authority, area_index=area_index, summary=summary, actor=actor_name,
               progress=progress)
        if dry_run:
            transaction.set_rollback(True)
            summary.import_id = None
        return summary


def _lock_imports() -> None:
    """One import at a time. On SQLite the immediate transaction already holds the write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(3003)")


def _apply(*, reading, keep, pair, pairs, placed, indicators, area_authority, area_index, summary, actor,
           progress) -> ImportSummary:
    b = reading.batch
    new_specs, updated_specs = _catalogue_changes(reading, indicators)
    topics_changed = _topics_changed(reading, indicators)

    # Periods: existing ones by (code, label); new ones get a placeholder id (-1 - pair number) until created.
    used = np.zeros(len(pairs), dtype=bool)
    used[pair[keep]] = True
    codes = {pairs[j][0] for j in np.flatnonzero(used)}
    code_of = {indicators[c].pk: c for c in codes if c in indicators}
    existing = {}
    for pk, indicator_id, label, sort_key, status in IndicatorPeriod.objects.filter(
        indicator_id__in=list(code_of)
    ).values_list("pk", "indicator_id", "label", "sort_key", "status"):
        existing[(code_of[indicator_id], label)] = (pk, sort_key, status)
    pair_period = np.array([existing[p][0] if p in existing else -1 - j for j, p in enumerate(pairs)] or [0],
                           dtype="int64")
    new_pairs = [j for j in np.flatnonzero(used) if pairs[j] not in existing]
    moved = [j for j in np.flatnonzero(used) if pairs[j] in existing
             and (placed[j].sort_key, placed[j].status) != existing[pairs[j]][1:]]

    period_id = pair_period[pair]
    reasons = np.array(b.reasons, dtype=object)
    authority_rows = keep & (area_authority[b.area] >= 0) if len(b) else keep
    area_rows = keep & (area_index[b.area] >= 0) if len(b) else keep
    stored_ids = [pk for pk, _, _ in existing.values()]
    plan = storage.diff(period_id[authority_rows], area_authority[b.area[authority_rows]], b.value[authority_rows],
                        reasons[b.missing[authority_rows]], storage.stored_read(Value, "authority_id", stored_ids))
    plan_area = storage.diff(period_id[area_rows], area_index[b.area[area_rows]], b.value[area_rows],
                             reasons[b.missing[area_rows]], storage.stored_read(AreaValue, "area", stored_ids))

    summary.indicators_new, summary.indicators_updated = len(new_specs), len(updated_specs)
    summary.periods_new = len(new_pairs)
    summary.created = plan.created + plan_area.created
    summary.changed = plan.changed + plan_area.changed
    summary.unchanged = plan.unchanged + plan_area.unchanged
    if not (new_specs or updated_specs or topics_changed or new_pairs or moved or summary.created
            or summary.changed):
        return summary

    source = Import.objects.create(
        source=reading.source, format=reading.fmt, sha256=reading.sha256, actor=actor, rows=summary.rows,
        created=summary.created, changed=summary.changed, unchanged=summary.unchanged,
        warnings="\n".join(summary.warnings),
    )
    summary.import_id = source.pk
    indicators = _catalogue_write(reading, indicators, new_specs, updated_specs)

    created = IndicatorPeriod.objects.bulk_create([
        IndicatorPeriod(indicator=indicators[pairs[j][0]], label=pairs[j][1], sort_key=placed[j].sort_key,
                        status=placed[j].status)
        for j in new_pairs
    ])
    placeholder = {-1 - j: p.pk for j, p in zip(new_pairs, created, strict=True)}
    plan.resolve(placeholder)
    plan_area.resolve(placeholder)
    for j in moved:
        IndicatorPeriod.objects.filter(pk=existing[pairs[j]][0]).update(sort_key=placed[j].sort_key,
                                                                        status=placed[j].status)

    with _progress(summary.created + summary.changed, f"importing {reading.source}", progress) as bar:
        storage.write(Value, "authority_id", plan, source.pk, bar)
        storage.write(AreaValue, "area", plan_area, source.pk, bar)
    storage.pack(plan)
    return summary


def _catalogue_changes(reading: Reading, indicators: dict[str, Indicator]) -> tuple[list, list]:
    new, updated = [], []
    for code, spec in reading.specs.items():
        current = indicators.get(code)
        values = spec.values()
        if current is None:
            new.append(spec)
        elif any(getattr(current, f) != v for f, v in values.items()):
            updated.append((current, values))
    return new, updated


def _topics_changed(reading: Reading, indicators: dict[str, Indicator]) -> bool:
    codes = [c for c in reading.specs if c in indicators]
    if not codes:
        return False
    have: dict[str, set] = {c: set() for c in codes}
    for code, name in Indicator.topics.through.objects.filter(indicator__code__in=codes).values_list(
        "indicator__code", "topic__name"
    ):
        have[code].add(name)
    return any(set(reading.specs[c].topics) != have[c] for c in codes)


def _catalogue_write(reading, indicators, new_specs, updated_specs) -> dict[str, Indicator]:
    for item in Indicator.objects.bulk_create([Indicator(code=s.code, **s.values()) for s in new_specs]):
        indicators[item.code] = item
    changed = []
    for current, values in updated_specs:
        for name, value in values.items():
            setattr(current, name, value)
        changed.append(current)
    if changed:
        Indicator.objects.bulk_update(changed, list(reading.specs[changed[0].code].FIELDS))
    if not reading.specs:
        return indicators

    # Topics: the reading's list replaces the stored one for each indicator it defines.
    names = {t for s in reading.specs.values() for t in s.topics}
    topics = {t.name: t for t in Topic.objects.filter(name__in=names)}
    for t in Topic.objects.bulk_create([Topic(name=n) for n in sorted(names) if n not in topics]):
        topics[t.name] = t
    through = Indicator.topics.through
    ids = [indicators[c].pk for c in reading.specs]
    have = set(through.objects.filter(indicator_id__in=ids).values_list("indicator_id", "topic_id"))
    want = {(indicators[c].pk, topics[t].pk) for c, s in reading.specs.items() for t in s.topics}
    for indicator_id, topic_id in have - want:
        through.objects.filter(indicator_id=indicator_id, topic_id=topic_id).delete()
    through.objects.bulk_create([through(indicator_id=i, topic_id=t) for i, t in want - have])

    # Judgement areas: the default, for every indicator whose areas no person has edited.
    stored: dict[int, set] = {}
    for indicator_id, outcome in IndicatorOutcome.objects.filter(indicator_id__in=ids).values_list(
        "indicator_id", "outcome"
    ):
        stored.setdefault(indicator_id, set()).add(outcome)
    add = []
    for code, spec in reading.specs.items():
        indicator = indicators[code]
        if indicator.outcomes_edited:
            continue
        wanted = spec.outcomes if spec.outcomes is not None else default_outcomes(topics=spec.topics)
        have_o = stored.get(indicator.pk, set())
        add += [IndicatorOutcome(indicator_id=indicator.pk, outcome=o) for o in wanted if o not in have_o]
        gone = [o for o in have_o if o not in wanted]
        if gone:
            IndicatorOutcome.objects.filter(indicator_id=indicator.pk, outcome__in=gone).delete()
    IndicatorOutcome.objects.bulk_create(add)
    return indicators


# ----------------------------------------------------------------------------------------------------------
# The LAIT set shipped with APA, loaded by `apa init`


def lait_shipped_load(*, progress: bool | None = None) -> ImportSummary | None:
    """Load the LAIT set shipped in apa/indicators/data, once. Returns None when those very files (same bytes)
    were imported before: `apa init` then leaves the data alone, so that a newer release imported since is
    never replaced by the older shipped one."""
    if Import.objects.filter(sha256=sha256(LAIT_VALUES, LAIT_DICTIONARY), format="lait").exists():
        return None
    reading = lait_read(path=LAIT_VALUES, dictionary=LAIT_DICTIONARY)
    return indicator_values_import(reading=reading, actor=None, progress=progress)  # a system job


# ----------------------------------------------------------------------------------------------------------
# Flags: an authority officer says a value is wrong


def data_lock_check(*, authority: Authority, period: IndicatorPeriod, when=None) -> None:
    """Refuse a flag once a cycle that judges this authority by this period has locked its data (the day
    after its data-lock date). The cycles live in an app above this one: it answers period_lock_checked."""
    today = when or timezone.localdate()
    if hasattr(today, "date"):
        today = timezone.localtime(today).date() if timezone.is_aware(today) else today.date()
    for _receiver, refusal in period_lock_checked.send(sender=IndicatorPeriod, authority=authority, period=period,
                                                        today=today):
        if refusal:
            raise ApaError(Problem(refusal), code="data_locked")


@transaction.atomic
def flag_raise(*, user, value: Value, comment: str) -> Flag:
    require("indicators.raise_flag", user, value)
    comment = (comment or "").strip()
    if not comment:
        raise ApaError(Problem("say what is wrong with the value and what it should be", column="comment"))
    if len(comment) > 2000:
        raise ApaError(Problem("keep the comment to 2,000 characters or fewer", column="comment"))
    data_lock_check(authority=value.authority, period=value.period)
    if Flag.objects.filter(value=value, status=FlagStatus.OPEN).exists():
        raise ApaError(Problem("this value is already flagged; the open flag will be answered first"),
                       code="conflict")
    return Flag.objects.create(value=value, comment=comment, value_when_flagged=value.value, raised_by=user)


@transaction.atomic
def flag_withdraw(*, user, flag: Flag) -> Flag:
    require("indicators.withdraw_flag", user, flag)
    if flag.status != FlagStatus.OPEN:
        raise ApaError(Problem("this flag is already closed"), code="conflict")
    flag.status, flag.closed_by, flag.closed_at = FlagStatus.WITHDRAWN, user, timezone.now()
    flag.save(update_fields=["status", "closed_by", "closed_at"])
    return flag


@transaction.atomic
def flag_resolve(*, user, flag: Flag, response: str) -> Flag:
    """An inspector answers a flag: the data were checked (and corrected by a new import where needed)."""
    require("indicators.answer_flag", user, flag)
    if flag.status != FlagStatus.OPEN:
        raise ApaError(Problem("this flag is already closed"), code="conflict")
    response = (response or "").strip()
    if not response:
        raise ApaError(Problem("say what was checked and what happens next", column="response"))
    flag.status, flag.response, flag.closed_by, flag.closed_at = FlagStatus.RESOLVED, response, user, timezone.now()
    flag.save(update_fields=["status", "response", "closed_by", "closed_at"])
    return flag

