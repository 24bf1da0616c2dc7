"""Cash-application matching measured on an independent set of Polish B2B payments (no database, no Odoo).

    .venv/bin/python bench/bench_matching_independent.py [--lines 4000] [--items 12000] [--customers 1500]
                                                         [--threshold 90] [--seed 7] [--show N]

The data (``bench/independent_payments.py``) is written apart from the engine and from
``bench/matching_data.py``: it shares no code, word list or case list with them (see its docstring for the
payment behaviours it follows and ``KIND_SHARES`` for each kind's share). The engine runs with its defaults,
which are those of a fresh install (write-off up to 15.00 and 2 %, exact partial payments applied).

Per kind it prints the lines, the share of them applied automatically (best proposal >= ``--threshold``
and not ambiguous), the precision of those, the share only suggested and the share with no proposal;
then the totals: precision (target >= 99.5 % on every kind), the share of matchable payments applied
automatically (target >= 95 %), and automatic matches on credits that pay nothing or cannot be told
apart (target 0).
"""

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "ar_bank_psd2"))

from engine import matching  # noqa: E402
from independent_payments import KIND_SHARES, build  # noqa: E402

NOT_MATCHABLE = ("not_a_customer_payment", "indistinguishable")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=4000)
    parser.add_argument("--items", type=int, default=12000)
    parser.add_argument("--customers", type=int, default=1500)
    parser.add_argument("--threshold", type=float, default=90.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--show", type=int, default=0, metavar="N", help="print N lines left or wrong per kind"
    )
    args = parser.parse_args()

    lines, items, customers, truth = build(args.lines, args.items, args.customers, args.seed, matching)
    print(f"{len(lines):,} bank lines, {len(items):,} open invoices, {len(customers):,} customer records")
    start = time.perf_counter()
    result = matching.match_lines(lines, items, customers)
    seconds = time.perf_counter() - start

    rows, shown = {}, Counter()
    for line in lines:
        paid, kind = truth[line.id]
        ranked = result.get(line.id) or []
        top = ranked[0] if ranked else None
        automatic = bool(top) and not top.ambiguous and top.score >= args.threshold
        right = automatic and {a.item_id for a in top.allocations} == paid
        row = rows.setdefault(kind, Counter())
        row["lines"] += 1
        row["auto"] += automatic
        row["right"] += right
        row["suggested"] += bool(top) and not automatic
        row["none"] += not top
        if (
            args.show
            and (not automatic or not right)
            and kind not in NOT_MATCHABLE
            and shown[kind] < args.show
        ):
            shown[kind] += 1
            print(f"  [{kind}] {line.amount} {line.remittance!r} {line.counterparty_name!r}")
            why = f"{'; '.join(top.reasons)} (score {top.score:g})" if top else "no proposal"
            print(f"      {'WRONG ' if automatic else ''}{why}")

    print(
        f"\n{'kind':<24} {'share':>6} {'lines':>6} {'auto %':>7} {'precision':>9} "
        f"{'suggested':>9} {'none':>6}"
    )
    total = Counter()
    worst_precision = 100.0
    for kind in KIND_SHARES:
        row = rows.get(kind, Counter())
        if not row["lines"]:
            continue
        precision = 100.0 * row["right"] / row["auto"] if row["auto"] else 100.0
        worst_precision = min(worst_precision, precision)
        print(
            f"{kind:<24} {100 * KIND_SHARES[kind]:>5.0f}% {row['lines']:>6} "
            f"{100.0 * row['auto'] / row['lines']:>6.1f}% {precision:>8.1f}% "
            f"{100.0 * row['suggested'] / row['lines']:>8.1f}% {100.0 * row['none'] / row['lines']:>5.1f}%"
        )
        total.update(row)
        if kind not in NOT_MATCHABLE:
            total["matchable"] += row["lines"]
            total["matchable_auto"] += row["auto"]
    wrong_auto = sum(rows.get(kind, Counter())["auto"] for kind in NOT_MATCHABLE)
    precision = 100.0 * total["right"] / total["auto"] if total["auto"] else 100.0
    share = 100.0 * total["matchable_auto"] / total["matchable"]
    print(f"\nmatching {len(lines):,} lines: {seconds:.2f} s")
    print(f"precision of automatic matches: {precision:.2f} % ({total['right']:,} of {total['auto']:,})")
    print(f"lowest precision of a kind: {worst_precision:.1f} % [target >= 99.5 %]")
    print(
        f"matchable payments applied automatically: {share:.1f} % ({total['matchable_auto']:,} of "
        f"{total['matchable']:,}) [target >= 95 %]"
    )
    print(f"automatic matches on credits paying nothing or indistinguishable: {wrong_auto} [target 0]")


if __name__ == "__main__":
    main()
