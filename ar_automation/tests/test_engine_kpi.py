"""The KPI formulas, without a database."""

from decimal import Decimal as D

from ..engine.kpi import cei, dso_countback, dso_simple, ratio


def test_dso_simple_method():
    assert dso_simple(D(300), D(900), 90) == D("30.0")
    assert dso_simple(D(300), D(0), 90) is None


def test_dso_countback_walks_back_month_by_month():
    # 23 days of November with 1000 sold, then October (31 days) with 2000.
    months = [(23, D(1000)), (31, D(2000)), (30, D(2000))]
    assert dso_countback(D(500), months) == D("11.5")
    assert dso_countback(D(2000), months) == D("38.5")  # 23 + 1000/2000 * 31
    assert dso_countback(D(0), months) == D(0)
    assert dso_countback(D(10_000), months) is None
    assert dso_countback(D(1500), [(23, D(0)), (31, D(3000))]) == D("38.5")


def test_cei_and_ratios():
    # Opening 1000 + sales 4000 - closing 1500 collected, of 1000 + 4000 - 500 collectable.
    assert cei(D(1000), D(4000), D(1500), D(500)) == D("77.8")
    assert cei(D(0), D(0), D(0), D(0)) is None
    assert ratio(1, 3) == D("33.3")
    assert ratio(1, 0) is None


def test_best_possible_dso_is_never_above_dso():
    months = [(30, D(1000)), (31, D(0)), (30, D(2500)), (31, D(400))]
    for receivable in range(0, 4000, 37):
        for not_due in range(0, receivable + 1, 53):
            dso = dso_countback(D(receivable), months)
            best = dso_countback(D(not_due), months)
            if dso is not None and best is not None:
                assert best <= dso, (receivable, not_due)
            assert not (best is None and dso is not None), "a smaller receivable never outlasts the months"
