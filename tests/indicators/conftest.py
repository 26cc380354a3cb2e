"""Indicator test data: a sample of the real LAIT set (11 indicators chosen for awkward codes, period labels
and dictionary rows; made by filtering apa/indicators/data/bds_long_0.parquet on `Short Desc` and the
dictionary on `Measure_short`), imported once per test run. Tests that need other data write small files."""

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "lait_sample.parquet"
SAMPLE_DICTIONARY = DATA / "lait_data_dictionary.csv"
SAMPLE_CODES = [
    "RTA", "KS1P_all", "CINPermExclusion", "NEW_KS2_RWM_Sen_W/Osta", "RefBySource_Schl_%", "KS1W_Expected _STD",
    "LACFinance", "Hosp_Adm_Alc_<18yrs", "CPP_Total_Rateper10,000", "Social_Work_Starters", "A3A",
]


_IMPORTED: dict = {}


@pytest.fixture(scope="session")
def lait_sample(django_db_setup, django_db_blocker):
    """The sample, imported once and kept for the whole run (tests roll back their own changes)."""
    from apa.indicators.lait_reader import lait_read
    from apa.indicators.services import indicator_values_import

    # Other folders' conftests import this fixture, which makes each a session fixture of its own: the first
    # one imports, the others share its summary (a second import would find every value unchanged).
    if "summary" not in _IMPORTED:
        with django_db_blocker.unblock():
            _IMPORTED["summary"] = indicator_values_import(reading=lait_read(path=SAMPLE, dictionary=SAMPLE_DICTIONARY))
    return _IMPORTED["summary"]


@pytest.fixture
def sample(lait_sample, db):
    return lait_sample


@pytest.fixture
def write_csv(tmp_path):
    """write_csv('name.csv', [header, row, ...]) -> path"""
    import csv

    def write(name: str, rows: list[list]) -> Path:
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        return path

    return write


@pytest.fixture
def run_apa(capsys, monkeypatch):
    """run_apa('indicators', 'import', path) -> (exit code, stdout, stderr), through the real entry point."""
    import importlib

    from apa import cli

    # Only the command modules that exist yet: others are written alongside this work.
    present = []
    for name in cli.COMMAND_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        present.append(name)
    monkeypatch.setattr(cli, "COMMAND_MODULES", present)

    def run(*argv) -> tuple[int, str, str]:
        try:
            code = cli.main([str(a) for a in argv])
        except SystemExit as done:  # a usage error (a missing --as, say): argparse exits before the command runs
            code = done.code
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
