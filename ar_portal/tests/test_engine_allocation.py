"""Which invoices a portal payment covers, without a database."""

from decimal import Decimal as D

import pytest

from ..engine.allocation import AllocationError, allocate

OPEN = {1: D("100.00"), 2: D("250.00"), 3: D("40.00"), 4: D("5000.00")}


def test_whole_residuals_by_default_and_one_partial():
    assert allocate([1, 2], {}, OPEN) == {1: D("100.00"), 2: D("250.00")}
    assert allocate([1, 2], {2: "120,50"}, OPEN) == {1: D("100.00"), 2: D("120.50")}
    assert allocate([4], {4: "1.234,50"}, OPEN, locale="pl_PL") == {4: D("1234.50")}
    assert allocate([4], {4: "1234.50"}, OPEN, locale="pl_PL") == {4: D("1234.50")}


@pytest.mark.parametrize(
    ("selected", "requested", "code"),
    [
        ([], {}, "select_invoice"),
        ([9], {}, "invalid_selection"),
        ([1], {1: "-5"}, "amount_invalid"),
        ([1], {1: "0"}, "amount_invalid"),
        ([1], {1: "100.01"}, "amount_too_high"),
        ([1], {1: "1e30"}, "amount_invalid"),
        ([1], {1: "abc"}, "amount_invalid"),
        ([1], {1: "NaN"}, "amount_invalid"),
        ([1], {1: "²"}, "amount_invalid"),
        ([1, 2], {1: "50", 2: "50"}, "one_partial"),
    ],
)
def test_bad_selections_are_refused(selected, requested, code):
    with pytest.raises(AllocationError) as error:
        allocate(selected, requested, OPEN)
    assert error.value.code == code
