"""`apa cycle ...`, `apa judgements import`, `apa assessment transition`, `apa demo`: the same services and
permissions as the pages; `--as USERNAME` names the account acting."""

import argparse
from datetime import datetime
from pathlib import Path

from apa.errors import ApaError, Problem
from apa.tabular import date_argument


def _datetime(text: str) -> datetime:
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"{text!r} is not a date and time; use YYYY-MM-DDTHH:MM (Europe/London)")


def _cycle_args(p):
    p.add_argument("--framework", required=True)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--as", dest="as_user", required=True, metavar="USERNAME")


def register(commands) -> None:
    cycle = commands.add_parser("cycle", help="open, schedule, assign and publish an assessment cycle").add_subparsers(
        dest="cycle_command", metavar="ACTION", required=True)
    p = cycle.add_parser("open", help="open a cycle for a framework and year (admin)")
    _cycle_args(p)
    for name in ("self-assessment-due", "data-lock", "visits-from", "visits-to", "moderation-by"):
        p.add_argument(f"--{name}", type=date_argument)
    p.add_argument("--period", action="append", default=[], metavar="CODE=LABEL",
                   help="judge an indicator by this period instead of its latest at the data lock (repeat)")
    p.set_defaults(handler=cmd_open)
    p = cycle.add_parser("schedule", help="set the publication date and time, Europe/London (publisher)")
    _cycle_args(p)
    p.add_argument("--publish-at", type=_datetime, required=True, metavar="DATETIME")
    p.set_defaults(handler=cmd_schedule)
    p = cycle.add_parser("assign", help="make an inspector the lead inspector for an authority (admin)")
    _cycle_args(p)
    p.add_argument("--authority", required=True)
    p.add_argument("--inspector", required=True, metavar="USERNAME")
    p.set_defaults(handler=cmd_assign)
    p = cycle.add_parser("publish", help="publish every moderated assessment of the cycle now (publisher)")
    _cycle_args(p)
    p.set_defaults(handler=cmd_publish)
    p = cycle.add_parser("publish-due", help="record publications whose scheduled time has passed (for a scheduler)")
    p.set_defaults(handler=cmd_publish_due)
    p = cycle.add_parser("status", help="every authority's state in a cycle and what is overdue (the inspectorate)")
    _cycle_args(p)
    p.set_defaults(handler=cmd_status)

    judgements = commands.add_parser("judgements", help="load draft judgements").add_subparsers(
        dest="judgements_command", metavar="ACTION", required=True)
    p = judgements.add_parser("import", help="load an inspector's draft judgements from CSV or XLSX, all or nothing")
    p.add_argument("file", type=Path)
    _cycle_args(p)
    p.set_defaults(handler=cmd_judgements_import)

    assessment = commands.add_parser("assessment", help="move an assessment through the workflow").add_subparsers(
        dest="assessment_command", metavar="ACTION", required=True)
    p = assessment.add_parser("transition", help="move one authority's assessment to another state")
    _cycle_args(p)
    p.add_argument("--authority", required=True)
    p.add_argument("--to", required=True, metavar="STATE")
    p.add_argument("--reason", default="")
    p.set_defaults(handler=cmd_transition)

    p = commands.add_parser("demo", help="build the demo cycle (apa-2008 for 2025) and demo accounts")
    p.set_defaults(handler=cmd_demo)


def _actor(args):
    from apa.accounts.services import user_for_cli

    return user_for_cli(username=args.as_user)


def cmd_open(args) -> int:
    from .services import cycle_open

    periods = {}
    for item in args.period:
        code, sep, label = item.rpartition("=")
        if not sep or not code or not label:
            raise ApaError(Problem(f"--period {item!r}: write CODE=LABEL, for example 'InfMort=2016-18'"))
        periods[code] = label
    cycle = cycle_open(
        framework_code=args.framework, year=args.year, actor=_actor(args), periods=periods,
        self_assessment_due=args.self_assessment_due, data_lock=args.data_lock, visits_from=args.visits_from,
        visits_to=args.visits_to, moderation_by=args.moderation_by,
    )
    print(f"opened {cycle}: {cycle.assessments.count()} authorities, {cycle.periods.count()} indicator periods; "
          f"self-assessment due {cycle.self_assessment_due}, data lock {cycle.data_lock}, visits {cycle.visits_from} "
          f"to {cycle.visits_to}, moderation by {cycle.moderation_by}")
    return 0


def cmd_schedule(args) -> int:
    from django.utils import timezone

    from .services import cycle_get, cycle_schedule

    cycle = cycle_schedule(cycle=cycle_get(framework_code=args.framework, year=args.year), publish_at=args.publish_at,
                           actor=_actor(args))
    print(f"{cycle} publishes at {timezone.localtime(cycle.publish_at):%Y-%m-%d %H:%M %Z}")
    return 0


def cmd_assign(args) -> int:
    from apa.accounts.models import User
    from apa.authorities.selectors import authority_resolve

    from .services import cycle_assign, cycle_get

    inspector = User.objects.filter(username=args.inspector).first()
    if inspector is None:
        raise ApaError(Problem(f"no account named {args.inspector!r}"))
    assessment = cycle_assign(cycle=cycle_get(framework_code=args.framework, year=args.year),
                              authority=authority_resolve(text=args.authority), inspector=inspector, actor=_actor(args))
    print(f"{inspector.username} is lead inspector for {assessment.authority.name}")
    return 0


def cmd_publish(args) -> int:
    from .services import cycle_get, cycle_publish

    published = cycle_publish(cycle=cycle_get(framework_code=args.framework, year=args.year), actor=_actor(args))
    print(f"published {len(published)} assessments")
    return 0


def cmd_publish_due(args) -> int:
    from .services import cycle_publish_due

    done = cycle_publish_due()
    print(f"recorded {len(done)} scheduled publications")
    return 0


def cmd_status(args) -> int:
    from .selectors import cycle_dashboard
    from .services import cycle_get

    board = cycle_dashboard(cycle=cycle_get(framework_code=args.framework, year=args.year), viewer=_actor(args))
    for state, _label, count in board["counts"]:
        print(f"{state}: {count}")
    for row in board["rows"]:
        if row.overdue:
            print(f"overdue: {row.assessment.authority.name}: {'; '.join(row.overdue)}")
    return 0


def cmd_judgements_import(args) -> int:
    from .services import judgements_import

    count = judgements_import(path=args.file, framework_code=args.framework, year=args.year, actor=_actor(args))
    print(f"saved {count} draft judgements")
    return 0


def cmd_transition(args) -> int:
    from apa.authorities.selectors import authority_resolve

    from .services import cycle_get
    from .workflow import assessment_transition

    cycle = cycle_get(framework_code=args.framework, year=args.year)
    authority = authority_resolve(text=args.authority)
    assessment = cycle.assessments.filter(authority=authority).first()
    if assessment is None:
        raise ApaError(Problem(f"{authority.name} has no assessment in {cycle}"))
    before = assessment.state
    assessment = assessment_transition(assessment=assessment, to=args.to, actor=_actor(args), reason=args.reason)
    print(f"{authority.name}: {before} -> {assessment.state}")
    return 0


def cmd_demo(args) -> int:
    from .demo import demo_build

    for line in demo_build():
        print(line)
    return 0
