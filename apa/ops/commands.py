"""`apa backup FILE` and `apa restore FILE` (system jobs: the operator's, run where the database is)."""


def register(commands) -> None:
    p = commands.add_parser("backup", help="write the whole database to FILE (SQLite online backup or pg_dump)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--checksums", action="store_true", help="print every table's row count and checksum")
    p.set_defaults(handler=cmd_backup)
    p = commands.add_parser("restore", help="replace the whole database with the backup in FILE (all or nothing)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--checksums", action="store_true", help="print every table's row count and checksum")
    p.set_defaults(handler=cmd_restore)


def _summary(checksums: dict, verbose: bool) -> str:
    rows = sum(n for n, _ in checksums.values())
    lines = [f"{len(checksums)} tables, {rows:,} rows"]
    if verbose:
        lines += [f"{table}\t{n}\t{digest}" for table, (n, digest) in checksums.items()]
    return "\n".join(lines)


def cmd_backup(args) -> int:
    from .backup import backup, engine, table_checksums

    path = backup(args.file)
    print(f"backup of the {engine()} database written to {path}: {_summary(table_checksums(), args.checksums)}")
    return 0


def cmd_restore(args) -> int:
    from .backup import engine, restore, table_checksums

    restore(args.file)
    print(f"the {engine()} database restored from {args.file}: {_summary(table_checksums(), args.checksums)}")
    return 0
