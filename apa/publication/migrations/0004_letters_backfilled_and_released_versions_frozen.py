"""Every cycle result gets its letter snapshot (from the judgements as they stand, which no rule let change
after publication), then the database itself freezes released versions:

- a released version (not withheld) refuses any change to its content: letter, authority, framework, year,
  key, version;
- a version that is public (released and its time has come) cannot be withheld or rescheduled again;
- the grades of a released version cannot be changed, nor added to one with a letter (an imported result
  may gain the grade of another area from a further source: it is filling in the public record).

Written without app code, as data migrations must be."""

from collections import Counter

from django.db import migrations

KINDS = ("strength", "development", "focus")


def backfill(apps, schema_editor):
    Result = apps.get_model("publication", "Result")
    Judgement = apps.get_model("assessments", "Judgement")
    GradeLevel = apps.get_model("frameworks", "GradeLevel")
    db = schema_editor.connection.alias
    for result in Result.objects.using(db).filter(assessment__isnull=False, letter__isnull=True).select_related(
            "assessment__cycle__framework", "assessment__authority"):
        assessment = result.assessment
        framework = assessment.cycle.framework
        labels = {g.value: g.label for g in GradeLevel.objects.using(db).filter(framework=framework)}
        totals = Counter()
        sections = []
        for j in Judgement.objects.using(db).filter(assessment=assessment).select_related("area").order_by("area__display_order"):
            kinds = {k: [] for k in KINDS}
            for f in j.findings.order_by("pk"):
                kinds.setdefault(f.kind, []).append({"text": f.text, "evidence": [
                    {"indicator": e.indicator_code, "period": e.period, "benchmark": e.benchmark}
                    for e in f.evidence.filter(kind="indicator").order_by("pk")]})
            totals.update({k: len(v) for k, v in kinds.items()})
            sections.append({"area": j.area.code, "title": j.area.title, "grade": j.grade,
                             "label": labels.get(j.grade, ""), "rationale": j.rationale, "findings": kinds})
        ratio = round(totals["strength"] / totals["development"], 4) if totals["development"] else None
        result.letter = {
            "authority": {"dfe_code": assessment.authority.dfe_code, "name": assessment.authority.name},
            "framework": {"code": framework.code, "title": framework.title}, "year": assessment.cycle.year,
            "sections": sections, "strengths": totals["strength"], "developments": totals["development"],
            "focus": totals["focus"], "ratio": ratio,
        }
        result.save(update_fields=["letter"])


CONTENT = ("letter", "authority_id", "framework_id", "year", "key", "version")

SQLITE = [
    "CREATE TRIGGER result_released_content_frozen BEFORE UPDATE ON publication_result "
    "WHEN OLD.withheld = 0 AND (" + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENT) + ") "
    "BEGIN SELECT RAISE(ABORT, 'a released result version cannot be changed: publish a correction'); END",
    "CREATE TRIGGER result_public_stays_public BEFORE UPDATE ON publication_result "
    "WHEN OLD.withheld = 0 AND (OLD.visible_from IS NULL OR OLD.visible_from <= strftime('%Y-%m-%d %H:%M:%f', 'now')) "
    "AND (NEW.withheld = 1 OR NEW.visible_from IS NOT OLD.visible_from) "
    "BEGIN SELECT RAISE(ABORT, 'a published result version cannot be withheld or rescheduled'); END",
    "CREATE TRIGGER resultgrade_released_insert BEFORE INSERT ON publication_resultgrade "
    "WHEN (SELECT withheld = 0 AND letter IS NOT NULL FROM publication_result WHERE id = NEW.result_id) "
    "BEGIN SELECT RAISE(ABORT, 'the grades of a released result version cannot be changed'); END",
    "CREATE TRIGGER resultgrade_released_update BEFORE UPDATE ON publication_resultgrade "
    "WHEN (SELECT withheld FROM publication_result WHERE id = OLD.result_id) = 0 "
    "BEGIN SELECT RAISE(ABORT, 'the grades of a released result version cannot be changed'); END",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS result_released_content_frozen", "DROP TRIGGER IF EXISTS result_public_stays_public",
               "DROP TRIGGER IF EXISTS resultgrade_released_insert", "DROP TRIGGER IF EXISTS resultgrade_released_update"]

POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION publication_result_frozen() RETURNS trigger AS $$
    BEGIN
        IF NOT OLD.withheld AND (""" + " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in CONTENT).replace(
        "NEW.letter IS DISTINCT FROM OLD.letter", "NEW.letter::text IS DISTINCT FROM OLD.letter::text") + """) THEN
            RAISE EXCEPTION 'a released result version cannot be changed: publish a correction';
        END IF;
        IF NOT OLD.withheld AND (OLD.visible_from IS NULL OR OLD.visible_from <= now())
           AND (NEW.withheld OR NEW.visible_from IS DISTINCT FROM OLD.visible_from) THEN
            RAISE EXCEPTION 'a published result version cannot be withheld or rescheduled';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER result_released_frozen BEFORE UPDATE ON publication_result "
    "FOR EACH ROW EXECUTE FUNCTION publication_result_frozen()",
    """CREATE OR REPLACE FUNCTION publication_resultgrade_frozen() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND (SELECT NOT withheld FROM publication_result WHERE id = OLD.result_id)
           OR TG_OP = 'INSERT' AND (SELECT NOT withheld AND letter IS NOT NULL FROM publication_result
                                    WHERE id = NEW.result_id) THEN
            RAISE EXCEPTION 'the grades of a released result version cannot be changed';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER resultgrade_released_frozen BEFORE INSERT OR UPDATE ON publication_resultgrade "
    "FOR EACH ROW EXECUTE FUNCTION publication_resultgrade_frozen()",
]
POSTGRESQL_DROP = ["DROP TRIGGER IF EXISTS result_released_frozen ON publication_result",
                   "DROP TRIGGER IF EXISTS resultgrade_released_frozen ON publication_resultgrade",
                   "DROP FUNCTION IF EXISTS publication_result_frozen()",
                   "DROP FUNCTION IF EXISTS publication_resultgrade_frozen()"]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [
        ("publication", "0003_result_snapshot_versions_and_two_moderator_corrections"),
        ("assessments", "0001_cycles_assessments_judgements"),
        ("frameworks", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(_run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
                             _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})),
    ]
