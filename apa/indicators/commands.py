"""Indicator commands (see issue 3)."""


def register(commands) -> None:
    return None


def init_indicators() -> None:
    return None
