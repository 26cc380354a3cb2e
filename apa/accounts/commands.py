"""`apa users`: add or deactivate accounts."""

import sys


def register(commands) -> None:
    users = commands.add_parser("users", help="add or deactivate accounts").add_subparsers(
        dest="users_command", metavar="ACTION", required=True
    )
    p = users.add_parser("add", help="add an account; password from standard input, or generated and printed once")
    p.add_argument("username")
    p.add_argument("--role", required=True, help="inspector, moderator, publisher, authority_officer, democratic_services or admin")
    p.add_argument("--authority", help="the authority an authority officer works for (DfE code, ONS code or name)")
    p.add_argument("--email", default="")
    p.add_argument("--as", dest="as_user", metavar="USERNAME",
                   help="the admin adding the account (only the very first admin account is added without one)")
    p.set_defaults(handler=cmd_users_add)
    p = users.add_parser("deactivate", help="stop an account signing in; its history stays")
    p.add_argument("username")
    p.add_argument("--as", dest="as_user", required=True, metavar="USERNAME", help="the admin deactivating it")
    p.set_defaults(handler=cmd_users_deactivate)


def cmd_users_add(args) -> int:
    from apa.accounts.models import Role
    from apa.accounts.services import admin_exists, user_add, user_for_cli
    from apa.errors import ApaError, Problem

    actor = None
    if args.as_user:
        actor = user_for_cli(username=args.as_user)
    elif admin_exists() or args.role != Role.ADMIN:
        raise ApaError(Problem("give --as an admin account; only the first admin account is added without --as"),
                       code="forbidden")
    password = None
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n") or None
    user, generated = user_add(
        username=args.username, role=args.role, authority=args.authority, password=password, email=args.email,
        actor=actor)
    where = f" for {user.authority.name}" if user.authority else ""
    print(f"added {user.username} ({user.get_role_display()}{where})")
    if generated:
        print(f"password (shown once): {generated}")
    return 0


def cmd_users_deactivate(args) -> int:
    from apa.accounts.services import user_deactivate, user_for_cli

    user = user_deactivate(username=args.username, actor=user_for_cli(username=args.as_user))
    print(f"deactivated {user.username}")
    return 0
