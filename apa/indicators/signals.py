"""What the indicators app asks of the apps above it (it imports none of them)."""

from django.dispatch import Signal

# Asked before a flag is raised on a value (kwargs: authority, period — an IndicatorPeriod — and today, a
# date). A receiver answers with the sentence refusing the flag, because the period's data are locked for that
# authority, or with None.
period_lock_checked = Signal()
