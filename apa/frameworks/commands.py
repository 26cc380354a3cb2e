"""`apa frameworks`: the frameworks, their areas and grade scales; `apa init` loads them."""


def register(commands) -> None:
    p = commands.add_parser("frameworks", help="list the frameworks, their areas and grade scales")
    p.set_defaults(handler=cmd_frameworks)


def initialise(args) -> None:
    """Called by `apa init`."""
    from apa.frameworks.services import frameworks_load

    loaded = frameworks_load()
    print(f"frameworks: {', '.join(f'{k} {v}' for k, v in loaded.items())}")


def cmd_frameworks(args) -> int:
    from apa.frameworks.selectors import framework_list

    for framework in framework_list():
        print(f"{framework.code}: {framework.title} ({framework.years_label})")
        print("  grades: " + "; ".join(f"{g.value} {g.label}" for g in framework.grades.all()))
        for area in framework.areas.all():
            print(f"  {area.code}: {area.title}{'' if area.required else ' (optional)'}")
    return 0
