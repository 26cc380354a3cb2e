"""`apa serve`: the web server."""


def register(commands) -> None:
    p = commands.add_parser("serve", help="run the web server (default 127.0.0.1:8000)")
    p.add_argument("addrport", nargs="?", default="127.0.0.1:8000", metavar="HOST:PORT")
    p.set_defaults(handler=cmd_serve)


def cmd_serve(args) -> int:
    from django.core.management import call_command

    call_command("runserver", args.addrport, use_reloader=False)
    return 0
