"""How the dashboard, the PDF reports and the report e-mails write figures."""

import pytest

from qserve.insights import formatting


@pytest.mark.parametrize(
    ("seconds", "written"),
    [(None, "–"), (450, "7.5 min"), (-2, "0.0 min"), (-0.0, "0.0 min"), (-30, "-0.5 min"), (2, "0.0 min")],
)
def test_minutes_are_written_with_one_decimal_and_never_as_minus_zero(seconds, written):
    assert formatting.minutes(seconds) == written
