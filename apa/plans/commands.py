"""`apa alerts send` (the daily digest, for a scheduler) and `apa alerts list` (what is due for one person)."""

import json

from apa.tabular import date_argument


def register(commands) -> None:
    alerts = commands.add_parser("alerts", help="alerts of what is due: the daily email digest").add_subparsers(
        dest="alerts_command", metavar="ACTION", required=True)
    p = alerts.add_parser("send", help="email each person a digest of their new alerts (run daily; each alert is "
                                       "sent once, so a second run on a day sends nothing new)")
    p.add_argument("--date", type=date_argument, metavar="YYYY-MM-DD", help="the day to send for (default: today, Europe/London)")
    p.set_defaults(handler=cmd_send)

    p = alerts.add_parser("list", help="what is due for one person, as on their alerts page")
    p.add_argument("--as", dest="as_user", required=True, metavar="USERNAME")
    p.add_argument("--date", type=date_argument, metavar="YYYY-MM-DD", help="the day (default: today, Europe/London)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(handler=cmd_list)


def cmd_send(args) -> int:
    from .alerts import alerts_send

    run = alerts_send(today=args.date)
    print(run.summary())
    return 0


def cmd_list(args) -> int:
    from django.utils import timezone

    from apa.accounts.services import user_for_cli

    from .alerts import alerts_for_user

    user = user_for_cli(username=args.as_user)
    today = args.date or timezone.localdate()
    found = alerts_for_user(user=user, today=today)
    if args.format == "json":
        print(json.dumps([{"key": a.key, "kind": a.kind, "text": a.text, "url": a.url, "date": a.when.isoformat()}
                          for a in found], indent=2, ensure_ascii=False))
    elif not found:
        print(f"nothing due for {user.username} on {today.isoformat()}")
    else:
        for a in found:
            print(f"{a.when.isoformat()}  {a.heading}: {a.text}")
    return 0
