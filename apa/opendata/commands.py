"""`apa opendata`: build a release's Data Package (or the indicators package of a data release) into a
directory, list the releases, and validate a package with frictionless. Open data is public: no --as."""

from pathlib import Path


def register(commands) -> None:
    opendata = commands.add_parser(
        "opendata", help="open data: every public table as CSV with a Frictionless Data Package").add_subparsers(
        dest="opendata_command", metavar="ACTION", required=True)
    p = opendata.add_parser("build", help="build a release's package into DIR, byte for byte as first built")
    p.add_argument("directory", type=Path, metavar="DIR")
    p.add_argument("--release", type=int, metavar="R", help="the release to build (default: the latest)")
    p.set_defaults(handler=cmd_build)
    p = opendata.add_parser("indicators", help="build the indicators package of a data release into DIR")
    p.add_argument("directory", type=Path, metavar="DIR")
    p.add_argument("--data-release", type=int, metavar="N", help="the data release (default: the latest)")
    p.set_defaults(handler=cmd_indicators)
    p = opendata.add_parser("releases", help="list the releases and the indicator data releases")
    p.set_defaults(handler=cmd_releases)
    p = opendata.add_parser("validate", help="validate the package in DIR with frictionless")
    p.add_argument("directory", type=Path, metavar="DIR")
    p.set_defaults(handler=cmd_validate)


def initialise(args) -> None:
    """Called by `apa init`, after the results are loaded."""
    from apa.errors import NotFound

    from .selectors import release_latest
    from .services import releases_initialise

    releases_initialise()
    try:
        release = release_latest()
    except NotFound as exc:
        print(f"open data: {exc.lines[0]}")
        return
    print(f"open data: release {release.number} is the latest ({release.label})")


def _when(moment) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S %Z}"


def _written(files: dict, directory: Path) -> str:
    return f"{len(files)} files, {sum(len(d) for d in files.values()):,} bytes, written to {directory}"


def cmd_build(args) -> int:
    from .selectors import release_get, release_latest
    from .services import files_write, release_files

    release = release_latest() if args.release is None else release_get(number=args.release)
    files = release_files(release=release)
    files_write(files=files, directory=args.directory)
    print(f"release {release.number} as at {_when(release.as_at)} ({release.label}): "
          f"{_written(files, args.directory)}")
    return 0


def cmd_indicators(args) -> int:
    from .selectors import data_release_get
    from .services import files_write, indicator_files

    data_release = data_release_get(number=args.data_release)
    files = indicator_files(data_release=data_release)
    files_write(files=files, directory=args.directory)
    print(f"indicators, data release {data_release.pk} of {_when(data_release.imported_at)}: "
          f"{_written(files, args.directory)}")
    return 0


def cmd_releases(args) -> int:
    from .selectors import data_releases, releases_public

    for release in releases_public():
        print(f"release {release.number}\t{_when(release.as_at)}\t{release.reason}\t{release.label}")
    for item in data_releases():
        print(f"indicators data release {item.pk}\t{_when(item.imported_at)}\t{item.format}\t{item.rows} rows")
    return 0


def cmd_validate(args) -> int:
    from apa.errors import ApaError, Problem

    from .validation import package_validate

    result = package_validate(directory=args.directory)
    if not result.valid:
        for line in result.errors:
            print(line)
        raise ApaError(Problem(f"the package in {args.directory} is not valid: {len(result.errors)} errors, "
                               "listed above"))
    print(f"valid: {result.tables} tables, {result.rows:,} rows ({args.directory})")
    return 0
