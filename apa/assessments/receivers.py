"""The assessment cycle's answers to the signals of the apps below it."""

from apa.publication.signals import letter_requested, result_corrected

from . import selectors
from .services import correction_logged


def letter_for_result(sender, *, result, **kwargs) -> dict | None:
    if result.assessment_id is None:
        return None
    return selectors.letter(assessment=result.assessment)


def history_of_correction(sender, *, result, correction, changes, note, actor, **kwargs) -> None:
    if result.assessment_id:
        correction_logged(assessment=result.assessment, changes=changes, note=note, actor=actor)


def connect() -> None:
    letter_requested.connect(letter_for_result, dispatch_uid="assessments.letter_for_result")
    result_corrected.connect(history_of_correction, dispatch_uid="assessments.history_of_correction")
