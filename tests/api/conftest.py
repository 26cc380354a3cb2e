"""The API's tests share the indicator sample (tests/indicators) and the assessment cycle's people
(tests/assessments)."""

from tests.assessments.conftest import cycle, media_in_tmp, users  # noqa: F401
from tests.indicators.conftest import lait_sample, run_apa, sample  # noqa: F401
