"""The aging engine, without a database."""

from datetime import date

import pytest

from ..engine.aging import bucket_keys, bucket_of, days_overdue


def test_days_overdue_counts_calendar_days_after_due():
    assert days_overdue(date(2026, 1, 31), date(2026, 3, 1)) == 29
    assert days_overdue(date(2026, 3, 1), date(2026, 3, 1)) == 0
    assert days_overdue(date(2026, 3, 2), date(2026, 3, 1)) == 0
    assert days_overdue(None, date(2026, 3, 1)) == 0


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-5, "not_due"),
        (0, "not_due"),
        (1, "1_30"),
        (30, "1_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "over_90"),
        (400, "over_90"),
    ],
)
def test_default_bucket_edges(days, bucket):
    assert bucket_of(days) == bucket


def test_custom_edges_name_their_buckets():
    assert bucket_keys((15, 45)) == ["not_due", "1_15", "16_45", "over_45"]
    assert bucket_of(16, (15, 45)) == "16_45"
    assert bucket_of(46, (15, 45)) == "over_45"


@pytest.mark.parametrize("edges", [(), (30, 30), (60, 30), (0, 30), (-1,)])
def test_bad_edges_are_refused_with_the_edges_named(edges):
    with pytest.raises(ValueError, match="edge"):
        bucket_keys(edges)
