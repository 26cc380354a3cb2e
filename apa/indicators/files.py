"""An indicator file read in whichever of the three layouts it is in (LAIT, Explore Education Statistics or
plain), as `apa indicators import` and an import uploaded on the web both read it."""

from pathlib import Path

from .ees_reader import ees_read
from .lait_reader import lait_read
from .plain_reader import plain_read
from .readers import Reading, detect_format

FORMATS = ("lait", "ees", "plain")


def indicator_file_read(*, path: Path | str, fmt: str | None = None, dictionary: Path | None = None,
                        mapping: Path | None = None, measures=None, filters=None) -> Reading:
    """The reading of a file: `fmt` one of FORMATS, or None to tell from the file. A LAIT file takes the data
    dictionary given, else lait_data_dictionary.csv beside it when there is one."""
    path = Path(path)
    fmt = fmt or detect_format(path)
    if fmt == "lait":
        if dictionary is None and (path.parent / "lait_data_dictionary.csv").exists():
            dictionary = path.parent / "lait_data_dictionary.csv"
        return lait_read(path=path, dictionary=dictionary)
    if fmt == "ees":
        return ees_read(path=path, mapping=mapping, measures=measures, filters=filters)
    return plain_read(path=path, mapping=mapping)
