"""The plan's models moved from councils to plans with their data: a database made before the move keeps every
row, its foreign keys and its content types when it migrates, and migrating back restores the old tables.

The migrations run on a scratch database of the same engine as the test database (SQLite or PostgreSQL, as
DATABASE_URL says), so the shared test database and its reference data are never touched."""

from datetime import date

import pytest
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from apa.plans.models import AlertSent, Clinic, PlanAction, PlanLine, ProgressNote

ALIAS = "plans_migration_check"
BEFORE = [("councils", "0001_meetings_reports_decisions_plans"), ("contenttypes", "0002_remove_content_type_name")]
MOVED = ["planline", "planaction", "progressnote", "clinic", "alertsent"]


@pytest.fixture
def scratch(tmp_path):
    """A connection to an empty database of the test database's engine, under its own alias."""
    default = connections["default"]
    settings_dict = dict(default.settings_dict)
    name = f"{settings_dict['NAME']}_plans_migration"
    if default.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "before.sqlite3")
    elif default.vendor == "postgresql":
        with default._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        settings_dict["NAME"] = name
    else:
        pytest.skip(f"no scratch database for {default.vendor}")
    connection = type(default)(settings_dict, alias=ALIAS)
    connections[ALIAS] = connection
    try:
        yield connection
    finally:
        connection.close()
        del connections[ALIAS]
        if default.vendor == "postgresql":
            with default._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _migrate(connection, targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # a fresh loader, seeing what is applied now


def _tables(connection) -> set[str]:
    return set(connection.introspection.table_names())


@pytest.mark.django_db
def test_plan_rows_survive_the_move_to_the_plans_app(scratch):
    executor = _migrate(scratch, BEFORE)
    assert {f"councils_{m}" for m in MOVED} <= _tables(scratch)
    assert not {f"plans_{m}" for m in MOVED} & _tables(scratch)

    # Rows written with the models as they were, in councils.
    old = executor.loader.project_state(BEFORE).apps
    authority = old.get_model("authorities", "Authority").objects.using(ALIAS).create(
        dfe_code="886", name="Kent", region="South East")
    user = old.get_model("accounts", "User").objects.using(ALIAS).create(
        username="kent_officer", role="authority_officer", authority=authority)
    line = old.get_model("councils", "PlanLine").objects.using(ALIAS).create(
        authority=authority, kind="development", area="Being healthy", text="Reduce teenage conceptions",
        created_by=user)
    action = old.get_model("councils", "PlanAction").objects.using(ALIAS).create(
        line=line, description="Run the sexual health campaign", owner=user, due_date=date(2026, 3, 31), status="red")
    note = old.get_model("councils", "ProgressNote").objects.using(ALIAS).create(
        action=action, date=date(2026, 1, 12), text="Campaign launched in 12 schools", author=user)
    clinic = old.get_model("councils", "Clinic").objects.using(ALIAS).create(
        authority=authority, held_on=date(2026, 1, 20), notes="Reviewed all red actions", recorded_by=user)
    sent = old.get_model("councils", "AlertSent").objects.using(ALIAS).create(user=user, key="action-due:1:2026-03-31")
    ContentType = old.get_model("contenttypes", "ContentType")
    types = {m: ContentType.objects.using(ALIAS).create(app_label="councils", model=m).pk for m in MOVED}

    executor = _migrate(scratch, executor.loader.graph.leaf_nodes())
    assert {f"plans_{m}" for m in MOVED} <= _tables(scratch)
    assert not {f"councils_{m}" for m in MOVED} & _tables(scratch)

    # The same rows, read through today's models.
    moved = PlanLine.objects.using(ALIAS).get(pk=line.pk)
    assert (moved.authority_id, moved.kind, moved.text, moved.created_by_id) == (
        authority.pk, "development", "Reduce teenage conceptions", user.pk)
    moved_action = moved.actions.get()
    assert (moved_action.pk, moved_action.owner_label, moved_action.status) == (action.pk, "kent_officer", "red")
    assert list(moved_action.notes.values_list("pk", "text")) == [(note.pk, "Campaign launched in 12 schools")]
    assert Clinic.objects.using(ALIAS).get(pk=clinic.pk).notes == "Reviewed all red actions"
    assert AlertSent.objects.using(ALIAS).get(pk=sent.pk).key == "action-due:1:2026-03-31"
    assert ProgressNote.objects.using(ALIAS).get(pk=note.pk).action.line == moved
    # The foreign keys between the renamed tables hold, and new rows get fresh keys.
    added = PlanAction.objects.using(ALIAS).create(line=moved, description="Audit the clinics", owner_name="Jo Bloggs",
                                                   due_date=date(2026, 6, 30))
    assert added.pk > action.pk and added.line.authority_id == authority.pk
    scratch.check_constraints()
    ContentType = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps.get_model(
        "contenttypes", "ContentType")
    assert dict(ContentType.objects.using(ALIAS).filter(model__in=MOVED).values_list("model", "pk")) == types
    assert set(ContentType.objects.using(ALIAS).filter(model__in=MOVED).values_list("app_label", flat=True)) == {"plans"}

    # And back: the tables take their councils names again, with their rows.
    executor = _migrate(scratch, BEFORE + [("plans", None)])
    assert {f"councils_{m}" for m in MOVED} <= _tables(scratch)
    old = executor.loader.project_state(BEFORE).apps
    assert old.get_model("councils", "PlanAction").objects.using(ALIAS).filter(line_id=line.pk).count() == 2
    assert set(ContentType.objects.using(ALIAS).filter(model__in=MOVED).values_list("app_label", flat=True)) == {
        "councils"}
