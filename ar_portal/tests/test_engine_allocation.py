"""Which invoices a portal payment covers, without a database."""

from decimal import Decimal as D

import pytest

from ..engine.allocation import AllocationError, allocate

OPEN = {1: D("100.00"), 2: D("250.00"), 3: D("40.00")}


def test_whole_residuals_by_default_and_one_partial():
    assert allocate([1, 2], {}, OPEN) == {1: D("100.00"), 2: D("250.00")}
    assert allocate([1, 2], {2: "120,50"}, OPEN) == {1: D("100.00"), 2: D("120.50")}


@pytest.mark.parametrize(
    ("selected", "requested", "message"),
    [
        ([], {}, "at least one"),
        ([9], {}, "cannot be paid here"),
        ([1], {1: "-5"}, "more than zero"),
        ([1], {1: "0"}, "more than zero"),
        ([1], {1: "100.01"}, "at most what is due"),
        ([1], {1: "abc"}, "not an amount"),
        ([1], {1: "NaN"}, "more than zero"),
        ([1, 2], {1: "50", 2: "50"}, "Only one invoice"),
    ],
)
def test_bad_selections_are_refused(selected, requested, message):
    with pytest.raises(AllocationError, match=message):
        allocate(selected, requested, OPEN)
