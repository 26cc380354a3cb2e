"""What the store of published results asks of, or tells, the apps above it (it imports none of them)."""

from django.dispatch import Signal

# Told after a correction is published (kwargs: result, correction, changes {area code: (before, after)},
# note, actor), so that the app that published the result keeps it in that result's history.
result_corrected = Signal()

# Told when results become public, or are scheduled to (kwargs: at, the moment they are public from; source,
# "cycle" or "import"; label, what was published, e.g. "APA 2008, 2025"), so that open data can date a release
# that describes that moment.
results_published = Signal()

# Asked by the national release of a framework's year (kwargs: framework, year): the app that runs assessment
# cycles answers with the set of authorities (pks) that year's cycle assesses, or None when it has no such
# cycle. Only a count of those not yet public is ever shown ("not known" when nobody answers).
cycle_authorities_asked = Signal()
