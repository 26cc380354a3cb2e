"""What the store of published results asks of, or tells, the apps above it (it imports none of them)."""

from django.dispatch import Signal

# Told after a correction is published (kwargs: result, correction, changes {area code: (before, after)},
# note, actor), so that the app that published the result keeps it in that result's history.
result_corrected = Signal()
