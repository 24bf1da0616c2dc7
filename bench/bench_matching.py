"""Benchmark of the cash-application matching engine of ar_bank_psd2 (no database, no Odoo).

    .venv/bin/python bench/bench_matching.py [--lines 5000] [--items 20000] [--customers 2000]
                                             [--threshold 90] [--seed 42]

Generates labelled bank credits, open invoices and customers (``bench/matching_data.py``: exact and mistyped
references, several invoices, partial payments, bank fees, overpayments, factoring, split payments, RF
references, camt referred documents, KSeF numbers, payments without a reference, unrelated credits,
ambiguous cases), runs ``match_lines`` once and prints:

* the time to match (indexing included); target <= 5 s;
* the precision of the automatic matches: best proposal scored >= ``--threshold`` and not ambiguous,
  correct only when its items are exactly the items the line pays; target >= 99.5 %;
* the share of matchable lines (paying invoices, not ambiguous) matched automatically; target >= 90 %;
* automatic matches on ambiguous lines and on unrelated credits; target 0 each;
* a table per case: lines, automatic matches, correct ones.
"""

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from matching_data import engine, generate  # noqa: E402

TARGET_SECONDS = 5.0
TARGET_PRECISION = 99.5
TARGET_AUTO_SHARE = 90.0


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=5_000)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--threshold", type=float, default=90.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--show-errors", type=int, default=0, metavar="N", help="print N wrong automatic matches"
    )
    args = parser.parse_args()
    matching = engine()[0]

    lines, items, customers, truth = generate(args.lines, args.items, args.customers, args.seed)
    print(
        f"{len(lines):,} bank lines, {len(items):,} open items, {len(customers):,} customers "
        f"(seed {args.seed})"
    )
    start = time.perf_counter()
    proposals = matching.match_lines(lines, items, customers)
    seconds = time.perf_counter() - start

    per_case = {}
    totals = Counter()
    errors = []
    for line in lines:
        paid, case = truth[line.id]
        ranked = proposals.get(line.id) or []
        best = ranked[0] if ranked else None
        automatic = bool(best) and not best.ambiguous and best.score >= args.threshold
        correct = automatic and {a.item_id for a in best.allocations} == set(paid)
        row = per_case.setdefault(case, Counter())
        row["lines"] += 1
        row["auto"] += automatic
        row["correct"] += correct
        matchable = bool(paid) and case != "ambiguous"
        totals["matchable"] += matchable
        totals["matchable_auto"] += automatic and matchable
        totals["auto"] += automatic
        totals["correct"] += correct
        if automatic and not correct:
            errors.append((line, best, paid, case))

    precision = 100.0 * totals["correct"] / totals["auto"] if totals["auto"] else 100.0
    share = 100.0 * totals["matchable_auto"] / totals["matchable"] if totals["matchable"] else 0.0
    ambiguous_auto = per_case.get("ambiguous", Counter())["auto"]
    unrelated_auto = per_case.get("unrelated", Counter())["auto"]

    print(f"\n{'case':<24} {'lines':>6} {'auto':>6} {'correct':>8} {'auto %':>7}")
    for case, row in sorted(per_case.items(), key=lambda entry: -entry[1]["lines"]):
        print(
            f"{case:<24} {row['lines']:>6} {row['auto']:>6} {row['correct']:>8} "
            f"{100.0 * row['auto'] / row['lines']:>6.1f}%"
        )
    print()
    print(
        f"match {len(lines):,} lines against {len(items):,} items: {seconds:.2f} s "
        f"[target <= {TARGET_SECONDS:g} s: {verdict(seconds <= TARGET_SECONDS)}]"
    )
    print(
        f"precision of automatic matches (score >= {args.threshold:g}, not ambiguous): {precision:.2f} % "
        f"({totals['correct']:,} of {totals['auto']:,}) [target >= {TARGET_PRECISION:g} %: "
        f"{verdict(precision >= TARGET_PRECISION)}]"
    )
    print(
        f"matchable lines reconciled automatically: {share:.1f} % ({totals['matchable_auto']:,} of "
        f"{totals['matchable']:,}) [target >= {TARGET_AUTO_SHARE:g} %: {verdict(share >= TARGET_AUTO_SHARE)}]"
    )
    print(
        f"automatic matches on ambiguous lines: {ambiguous_auto} [target 0: {verdict(ambiguous_auto == 0)}]"
    )
    print(
        f"automatic matches on unrelated credits: {unrelated_auto} [target 0: {verdict(unrelated_auto == 0)}]"
    )
    for line, best, paid, case in errors[: args.show_errors]:
        print(f"\n{case}: line {line.id} {line.amount} {line.remittance!r} {line.counterparty_name!r}")
        print(f"  pays {sorted(paid)}; proposed {[(a.item_id, str(a.amount)) for a in best.allocations]}")
        print(f"  {'; '.join(best.reasons)} (score {best.score:g})")


if __name__ == "__main__":
    main()
