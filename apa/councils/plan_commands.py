"""Improvement plan and alert commands (filled by the improvement plan work)."""


def register(commands) -> None:
    return None
