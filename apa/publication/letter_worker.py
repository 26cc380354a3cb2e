"""The entry points of `apa letters build`'s worker processes. A worker starts fresh (spawned, sharing nothing
with the parent), so this module imports nothing of Django or APA until it has set Django up: it is what the
worker unpickles first."""

import os


def start() -> None:
    """Each worker sets up Django for itself, once."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apa.settings")
    import django

    django.setup()


def write(**kwargs) -> dict:
    """One letter: apa.publication.letters.letter_file_write."""
    from apa.publication.letters import letter_file_write

    return letter_file_write(**kwargs)
