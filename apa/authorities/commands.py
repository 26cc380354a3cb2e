"""`apa authority`: an authority by DfE code, ONS code or name; `apa init` loads the authorities."""

import json


def register(commands) -> None:
    p = commands.add_parser("authority", help="show an authority found by DfE code, ONS code or name")
    p.add_argument("text")
    p.add_argument("--format", default="text", choices=["text", "json"])
    p.set_defaults(handler=cmd_authority)


def initialise(args) -> None:
    """Called by `apa init`."""
    from apa.authorities.services import authorities_load

    counts = authorities_load()
    print(f"authorities: {counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged")


def cmd_authority(args) -> int:
    from apa.authorities.selectors import authority_detail, authority_resolve, neighbours_of

    authority = authority_detail(dfe_code=authority_resolve(text=args.text).dfe_code)
    data = {
        "dfe_code": authority.dfe_code,
        "name": authority.name,
        "ons_codes": [c.code for c in authority.ons_codes.all()],
        "region": authority.region,
        "london_area": authority.london_area or None,
        "dfe_type": authority.dfe_type or None,
        "start_date": authority.start_date.isoformat() if authority.start_date else None,
        "end_date": authority.end_date.isoformat() if authority.end_date else None,
        "predecessors": [s.predecessor.dfe_code for s in authority.predecessions.all()],
        "successors": [s.successor.dfe_code for s in authority.successions.all()],
        "neighbours": [n.neighbour.dfe_code for n in neighbours_of(authority=authority)],
    }
    if args.format == "json":
        print(json.dumps(data, indent=2))
    else:
        for key, value in data.items():
            print(f"{key}: {', '.join(value) if isinstance(value, list) else value if value is not None else ''}")
    return 0
