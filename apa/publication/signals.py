"""What the store of published results asks of, or tells, the apps above it (it imports none of them)."""

from django.dispatch import Signal

# Asked for a published letter's content (kwargs: result). The app whose cycle published the result answers
# with the letter as a dict; an imported result has no letter.
letter_requested = Signal()

# Told after a correction is published (kwargs: result, correction, changes {area code: (before, after)},
# note, actor), so that the app that published the result keeps it in that result's history.
result_corrected = Signal()
