"""`apa councils rule` and `apa callin-deadline`: the council's call-in rule and the deadline it gives."""

import json

from apa.errors import ApaError, Problem
from apa.tabular import date_argument


def register(commands) -> None:
    councils = commands.add_parser("councils", help="set a council's call-in rule").add_subparsers(
        dest="councils_command", metavar="ACTION", required=True)
    p = councils.add_parser("rule", help="set a council's call-in rule and closure days (democratic services)")
    p.add_argument("--authority", required=True)
    p.add_argument("--working-days", type=int, required=True)
    p.add_argument("--count-from", choices=["publication", "decision"], required=True)
    p.add_argument("--deadline-time", required=True, metavar="HH:MM|midnight")
    p.add_argument("--closure", type=date_argument, action="append", metavar="DATE", help="a council closure day (repeat)")
    p.add_argument("--as", dest="as_user", required=True, metavar="USERNAME")
    p.set_defaults(handler=cmd_rule)

    p = commands.add_parser("callin-deadline", help="the call-in deadline and effective date of a decision")
    p.add_argument("--published", type=date_argument, required=True)
    p.add_argument("--decided", type=date_argument)
    p.add_argument("--authority", help="use this council's rule (explicit options override it)")
    p.add_argument("--working-days", type=int)
    p.add_argument("--count-from", choices=["publication", "decision"])
    p.add_argument("--deadline-time", metavar="HH:MM|midnight")
    p.add_argument("--closure", type=date_argument, action="append", metavar="DATE")
    p.add_argument("--format", choices=["json", "text"], default="text")
    p.set_defaults(handler=cmd_deadline)


def cmd_rule(args) -> int:
    from apa.accounts.services import user_for_cli
    from apa.authorities.selectors import authority_resolve

    from .services import callin_rule_set, callin_rule_version

    authority = authority_resolve(text=args.authority)
    actor = user_for_cli(username=args.as_user)
    rule = callin_rule_set(authority=authority, actor=actor, version=callin_rule_version(authority=authority),
                           working_days=args.working_days,
                           count_from=args.count_from, deadline_time=args.deadline_time,
                           closures=args.closure if args.closure is not None else None)
    print(f"{authority.name}: {rule.working_days} working days from {rule.count_from}, deadline {rule.deadline_time}")
    return 0


def cmd_deadline(args) -> int:
    from dataclasses import replace

    from apa.calendar import DEFAULT_RULE, callin_deadline, parse_deadline_time

    rule = DEFAULT_RULE
    if args.authority:
        from apa.authorities.selectors import authority_resolve

        from .services import rule_spec_for

        rule = rule_spec_for(authority=authority_resolve(text=args.authority))
    problems = []
    overrides = {}
    if args.working_days is not None:
        if args.working_days < 1:
            problems.append(Problem("--working-days must be at least 1"))
        overrides["working_days"] = args.working_days
    if args.count_from:
        overrides["count_from"] = args.count_from
    if args.deadline_time:
        try:
            overrides["deadline_time"] = parse_deadline_time(args.deadline_time)
        except ValueError as exc:
            problems.append(Problem(str(exc)))
    if args.closure:
        overrides["closures"] = tuple(args.closure)
    rule = replace(rule, **overrides)
    if rule.count_from == "decision" and args.decided is None:
        problems.append(Problem("this rule counts from the decision: give --decided DATE"))
    if problems:
        raise ApaError(problems)
    result = callin_deadline(published=args.published, decided=args.decided, rule=rule)
    if args.format == "json":
        print(json.dumps(result.as_dict(), indent=2))
    else:
        print(f"call-in deadline {result.deadline.isoformat()}; effective from {result.effective_from.isoformat()}")
    return 0
