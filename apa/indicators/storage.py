"""Indicator values in the database: compare what an import read with what is stored, write the difference
through the database's bulk path (executemany on SQLite, COPY on PostgreSQL), and keep each period's packed
copy of its authority values (IndicatorPeriod.packed) in step. Called by services.indicator_values_import
inside its transaction; benchmark.py reads the packed copies.
"""

from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from django.db import connection

from .models import AREAS, IndicatorPeriod, ValueChange

CHUNK = 50_000
BIG_INSERT = 100_000  # rows from which PostgreSQL checks foreign keys once for the lot (see below)
KEY_SPAN = 1 << 24  # period id * KEY_SPAN + authority id (or area index) is one value's key
PACKED_DTYPE = np.dtype([("authority", "<i4"), ("value", "<f8")])


@dataclass
class Stored:
    period: np.ndarray
    key: np.ndarray
    value: np.ndarray
    missing: np.ndarray


def stored_read(model, key: str, period_ids: list[int]) -> Stored:
    """The stored rows of these periods. Area names come back as their index in AREAS."""
    table = model._meta.db_table
    select = f"SELECT period_id, {key}, value, missing FROM {table}"
    rows: list = []
    scan = len(period_ids) * 2 > IndicatorPeriod.objects.count()  # most periods: one scan, then filter
    if period_ids:
        with connection.cursor() as cursor:
            if scan:
                cursor.execute(select)
                rows = cursor.fetchall()
            else:
                for start in range(0, len(period_ids), 500):
                    chunk = period_ids[start:start + 500]
                    cursor.execute(f"{select} WHERE period_id IN ({', '.join(['%s'] * len(chunk))})", chunk)
                    rows.extend(cursor.fetchall())
    if not rows:
        empty = np.array([], dtype="int64")
        return Stored(empty, empty, np.array([], dtype="float64"), np.array([], dtype=object))
    period, keys, value, missing = zip(*rows, strict=True)
    if key == "area":
        keys = [AREAS.index(k) for k in keys]
    stored = Stored(np.array(period, dtype="int64"), np.array(keys, dtype="int64"),
                     np.array(value, dtype="float64"), np.array(missing, dtype=object))
    if scan:
        mask = np.isin(stored.period, np.array(period_ids, dtype="int64"))
        if not mask.all():
            stored = Stored(stored.period[mask], stored.key[mask], stored.value[mask], stored.missing[mask])
    return stored


@dataclass
class Plan:
    """What to write to one table: rows to insert, rows to update (with what they were), and the stored rows."""

    new_period: np.ndarray
    new_key: np.ndarray
    new_value: np.ndarray
    new_missing: np.ndarray
    upd_period: np.ndarray
    upd_key: np.ndarray
    upd_value: np.ndarray
    upd_missing: np.ndarray
    old_value: np.ndarray
    old_missing: np.ndarray
    upd_stored: np.ndarray  # where each updated row sits in `stored`
    stored: Stored
    unchanged: int

    @property
    def created(self) -> int:
        return len(self.new_key)

    @property
    def changed(self) -> int:
        return len(self.upd_key)

    def resolve(self, placeholder: dict[int, int]) -> None:
        if placeholder and len(self.new_period):
            self.new_period = np.array([placeholder.get(p, p) for p in self.new_period.tolist()], dtype="int64")


def diff(period, key, value, missing, stored: Stored) -> Plan:
    incoming = period * KEY_SPAN + key
    held = stored.period * KEY_SPAN + stored.key
    order = np.argsort(held, kind="stable")
    pos = np.minimum(np.searchsorted(held[order], incoming), max(len(held) - 1, 0))
    at = order[pos] if len(held) else np.zeros(len(incoming), dtype="int64")
    found = held[at] == incoming if len(held) else np.zeros(len(incoming), dtype=bool)
    old_value = np.where(found, stored.value[at] if len(held) else np.nan, np.nan)
    old_missing = np.where(found, stored.missing[at] if len(held) else "", "")
    same_number = (value == old_value) | (np.isnan(value) & np.isnan(old_value))
    same = found & same_number & (missing == old_missing)
    new, upd = ~found, found & ~same
    return Plan(
        new_period=period[new], new_key=key[new], new_value=value[new], new_missing=missing[new],
        upd_period=period[upd], upd_key=key[upd], upd_value=value[upd], upd_missing=missing[upd],
        old_value=old_value[upd], old_missing=old_missing[upd], upd_stored=at[upd], stored=stored,
        unchanged=int(same.sum()),
    )


def _nulls(values: np.ndarray) -> list:
    """Floats for the database, NaN as NULL."""
    out = values.astype(object)
    out[np.isnan(values)] = None
    return out.tolist()


def write(model, key: str, plan: Plan, import_id: int, bar) -> None:
    table = model._meta.db_table
    as_key = (lambda k: k.tolist()) if key == "authority_id" else (lambda k: [AREAS[i] for i in k.tolist()])
    if plan.created:
        # In key order, so each index grows at its end: twice as fast on SQLite as file order.
        order = np.lexsort((plan.new_key, plan.new_period))
        rows = zip(plan.new_period[order].tolist(), as_key(plan.new_key[order]), _nulls(plan.new_value[order]),
                   plan.new_missing[order].tolist(), [import_id] * plan.created, strict=True)
        _bulk_insert(table, ["period_id", key, "value", "missing", "source_id"], rows, bar, plan.created)
    if plan.changed:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET value = %s, missing = %s, source_id = %s WHERE period_id = %s AND {key} = %s",
                list(zip(_nulls(plan.upd_value), plan.upd_missing.tolist(), [import_id] * plan.changed,
                         plan.upd_period.tolist(), as_key(plan.upd_key), strict=True)),
            )
        authority = plan.upd_key.tolist() if key == "authority_id" else [None] * plan.changed
        area = [""] * plan.changed if key == "authority_id" else as_key(plan.upd_key)
        history = zip([import_id] * plan.changed, plan.upd_period.tolist(), authority, area,
                      _nulls(plan.old_value), plan.old_missing.tolist(), _nulls(plan.upd_value),
                      plan.upd_missing.tolist(), strict=True)
        _bulk_insert(ValueChange._meta.db_table, ["source_id", "period_id", "authority_id", "area", "old_value",
                                                  "old_missing", "new_value", "new_missing"], history, None)
        bar.update(plan.changed)


@contextmanager
def _foreign_keys_rechecked(cursor, table: str, *, big: bool):
    """For a big COPY on PostgreSQL, drop the table's foreign keys and add them back afterwards, in the same
    transaction. Adding a key checks every row in one join; kept in place, each row queues its own check, and
    the whole LAIT set then spends five seconds in those checks at commit. (PostgreSQL's manual, "Populating
    a Database", advises the same.) The table is locked against other writers until commit either way."""
    if not big:
        yield
        return
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype = 'f'", [table])
    keys = cursor.fetchall()
    # Pending checks on the referenced tables (periods just created) would forbid the ALTER: run them now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for name, _ in keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield
    for name, definition in keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _bulk_insert(table: str, columns: list[str], rows, bar, count: int = 0) -> None:
    """COPY on PostgreSQL, executemany on the raw SQLite connection: both inside the open transaction."""
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, _foreign_keys_rechecked(cursor, table, big=count > BIG_INSERT):
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                done = 0
                for row in rows:
                    copy.write_row(row)
                    done += 1
                    if bar is not None and done % CHUNK == 0:
                        bar.update(CHUNK)
                if bar is not None:
                    bar.update(done % CHUNK)
        return
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['?'] * len(columns))})"
    rows = iter(rows)
    while chunk := [r for _, r in zip(range(CHUNK), rows, strict=False)]:
        connection.connection.executemany(sql, chunk)
        if bar is not None:
            bar.update(len(chunk))


def pack(plan: Plan) -> None:
    """Rewrite the packed copy of every touched period's authority values (see IndicatorPeriod.packed)."""
    touched = np.unique(np.concatenate([plan.new_period, plan.upd_period]))
    if not len(touched):
        return
    stored = plan.stored
    value = stored.value.copy()
    value[plan.upd_stored] = plan.upd_value
    period = np.concatenate([stored.period, plan.new_period])
    key = np.concatenate([stored.key, plan.new_key])
    value = np.concatenate([value, plan.new_value])
    mask = np.isin(period, touched)
    period, key, value = period[mask], key[mask], value[mask]
    order = np.lexsort((key, period))
    period = period[order]
    packed = np.empty(len(order), dtype=PACKED_DTYPE)
    packed["authority"], packed["value"] = key[order], value[order]
    bounds = np.flatnonzero(np.r_[True, period[1:] != period[:-1], True])
    counts = np.add.reduceat(np.isfinite(packed["value"]).astype("int64"), bounds[:-1]) if len(packed) else []
    updates = [(packed[s:e].tobytes(), int(n), int(period[s]))
               for s, e, n in zip(bounds[:-1], bounds[1:], counts, strict=True)]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {IndicatorPeriod._meta.db_table} SET packed = %s, authority_values = %s "
                           "WHERE id = %s", updates)


def packed_values(blob) -> np.ndarray:
    """(authority id, value) pairs of a period, from IndicatorPeriod.packed."""
    return np.frombuffer(bytes(blob or b""), dtype=PACKED_DTYPE)
