"""Benchmark of the camt.053 statement parser of ar_bank_psd2 (no database, no Odoo).

    .venv/bin/python bench/bench_statement_parse.py [--sizes 5000 50000]

For each size it writes a camt.053 with that many entries (each with a counterparty, IBAN, references and
a title) to a temporary file and measures, each in a fresh process so the figures do not mix:

* ``parse_camt(bytes)``: wall time to the full list of statements; target <= 5 s for 50,000 entries;
* streaming (``iter_camt(path)``, nothing kept): Python peak memory (tracemalloc) and the process's peak
  RSS, which includes lxml's tree: both stay flat as the file grows, because each entry is dropped from
  the tree once read;
* ``parse_camt(path)`` with tracemalloc: the peak grows with the size, but only by the returned
  transactions themselves.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 5.0
TARGET_ENTRIES = 50_000
NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
ENTRY = (
    '<Ntry><Amt Ccy="PLN">{amount}</Amt><CdtDbtInd>{side}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
    "<BookgDt><Dt>2026-03-13</Dt></BookgDt><ValDt><Dt>2026-03-13</Dt></ValDt>"
    "<AcctSvcrRef>REF{n:08}</AcctSvcrRef>"
    "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
    "<NtryDtls><TxDtls><Refs><EndToEndId>E2E-{n}</EndToEndId></Refs>"
    "<RltdPties><Dbtr><Pty><Nm>Klient {n} Sp. z o.o.</Nm></Pty></Dbtr>"
    "<DbtrAcct><Id><IBAN>PL27114020040000300201355387</IBAN></Id></DbtrAcct>"
    "<Cdtr><Pty><Nm>Dostawca {n}</Nm></Pty></Cdtr></RltdPties>"
    "<RmtInf><Ustrd>/VAT/{vat}/IDC/5260250274/INV/FV {n}/2026/TXT/zapłata</Ustrd></RmtInf>"
    "</TxDtls></NtryDtls></Ntry>\n"
)


def engine():
    """The engine modules, imported without Odoo (the addon folder on sys.path, not the addon)."""
    sys.path.insert(0, str(ROOT / "ar_bank_psd2"))
    from engine import camt, statement

    return camt, statement


def write_camt053(path: Path, count: int):
    with path.open("w", encoding="utf-8") as out:
        out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{NAMESPACE}"><BkToCstmrStmt>\n')
        out.write(
            "<GrpHdr><MsgId>BENCH</MsgId><CreDtTm>2026-03-16T06:00:00</CreDtTm></GrpHdr>\n<Stmt><Id>B1</Id>"
        )
        out.write("<Acct><Id><IBAN>PL61109010140000071219812874</IBAN></Id><Ccy>PLN</Ccy></Acct>\n")
        for n in range(count):
            amount = f"{n % 5000}.{n % 100:02}"
            side = "CRDT" if n % 4 else "DBIT"
            out.write(ENTRY.format(n=n, amount=amount, side=side, vat=f"{n % 900},{n % 100:02}"))
        out.write("</Stmt></BkToCstmrStmt></Document>\n")


def child(mode: str, path: str):
    camt, statement = engine()
    if mode == "time":
        data = Path(path).read_bytes()
        start = time.perf_counter()
        statements = camt.parse_camt(data)
        seconds = time.perf_counter() - start
        result = {"seconds": seconds, "transactions": sum(len(s.transactions) for s in statements)}
    elif mode == "stream":
        tracemalloc.start()
        count = sum(isinstance(item, statement.Transaction) for item in camt.iter_camt(path))
        result = {"peak": tracemalloc.get_traced_memory()[1], "transactions": count}
    else:  # "full": the whole list kept
        tracemalloc.start()
        statements = camt.parse_camt(path)
        result = {"peak": tracemalloc.get_traced_memory()[1], "transactions": len(statements[0].transactions)}
    result["max_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))


def measure(mode: str, path: Path) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, TARGET_ENTRIES])
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    mib = 1024 * 1024
    target_time = None
    print(
        f"{'entries':>8} {'file MiB':>9} {'parse s':>8} {'stream peak MiB':>16} {'stream RSS MiB':>15} "
        f"{'full-list peak MiB':>19}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            path = Path(folder) / f"camt053_{size}.xml"
            write_camt053(path, size)
            timed, stream, full = (measure(mode, path) for mode in ("time", "stream", "full"))
            assert timed["transactions"] == stream["transactions"] == full["transactions"] == size
            stream_rss = stream["max_rss_kb"] / 1024
            print(
                f"{size:>8} {path.stat().st_size / mib:>9.1f} {timed['seconds']:>8.2f} "
                f"{stream['peak'] / mib:>16.2f} {stream_rss:>15.1f} {full['peak'] / mib:>19.1f}"
            )
            if size == TARGET_ENTRIES:
                target_time = timed["seconds"]
    if target_time is not None:
        verdict = "PASS" if target_time <= TARGET_SECONDS else "FAIL"
        print(f"parse 50,000 entries: {target_time:.2f} s [target <= {TARGET_SECONDS:g} s: {verdict}]")


if __name__ == "__main__":
    main()
