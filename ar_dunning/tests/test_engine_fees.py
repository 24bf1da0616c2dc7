"""Late-payment interest and compensation, without a database."""

from datetime import date
from decimal import Decimal as D

import pytest

from ..engine.fees import compensation_eur, conversion_day, interest

RATES = [(date(2025, 10, 9), D("14.50")), (date(2023, 10, 5), D("15.75")), (date(2025, 11, 6), D("14.25"))]


def test_interest_at_one_rate():
    # 10,000 late 30 days at 15.75 %: 10000 * 0.1575 * 30 / 365 = 129.45
    assert interest(D(10000), date(2024, 3, 1), date(2024, 3, 31), RATES) == D("129.45")


def test_interest_across_rate_changes_counts_each_day_at_its_rate():
    # From 2025-10-01 (due 2025-09-30) to 2025-11-10: 8 days at 15.75, 28 at 14.50, 5 at 14.25.
    expected = (D(1000) * (D("15.75") * 8 + D("14.50") * 28 + D("14.25") * 5) / 100 / 365).quantize(D("0.01"))
    assert interest(D(1000), date(2025, 9, 30), date(2025, 11, 10), RATES) == expected


def test_no_interest_when_not_late_or_nothing_owed():
    assert interest(D(1000), date(2025, 9, 30), date(2025, 9, 30), RATES) == 0
    assert interest(D(0), date(2025, 9, 30), date(2025, 11, 30), RATES) == 0


def test_a_missing_rate_is_an_error_naming_the_day():
    with pytest.raises(ValueError, match="2020-01-02"):
        interest(D(1000), date(2020, 1, 1), date(2020, 2, 1), RATES)


@pytest.mark.parametrize(
    ("amount", "eur"), [(D(100), 40), (D(5000), 40), (D("5000.01"), 70), (D(50000), 70), (D(50001), 100)]
)
def test_compensation_bands(amount, eur):
    assert compensation_eur(amount) == eur


def test_conversion_day_is_the_end_of_the_previous_month():
    assert conversion_day(date(2026, 3, 15)) == date(2026, 2, 28)
    assert conversion_day(date(2026, 1, 1)) == date(2025, 12, 31)
