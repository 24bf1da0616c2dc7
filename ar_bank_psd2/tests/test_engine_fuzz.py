"""Mutated statement files: the parsers return statements or raise StatementFileError, nothing else.

The mutations are generated from the sample files with a fixed seed, so a failure can be replayed:
its test id names the sample, the mutation and its number.
"""

import random
from pathlib import Path

import pytest

from ..engine.parse import parse_statement_file
from ..engine.statement import StatementFileError

DATA = Path(__file__).parent / "data"
SAMPLES = sorted(path.name for path in DATA.iterdir() if path.suffix in (".xml", ".sta"))
PER_SAMPLE = 40
TAGS = [
    b":20:",
    b":25:",
    b":28C:",
    b":60F:",
    b":61:",
    b":86:",
    b":62F:",
    b":64:",
    b":34F:",
    b":13D:",
    b":90D:",
]
ELEMENTS = [b"Amt", b"CdtDbtInd", b"BookgDt", b"Dt", b"Acct", b"IBAN", b"Ntry", b"Stmt", b"TxDtls", b"Bal"]
NAMESPACES = [
    b"urn:iso:std:iso:20022:tech:xsd:camt.052.001.08",
    b"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03",
    b"urn:iso:std:iso:20022:tech:xsd:camt.053.001.99",
    b"",
]


def truncate(rng, data):
    return data[: rng.randrange(len(data))]


def flip_bytes(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def delete_line(rng, data):
    lines = data.splitlines(keepends=True)
    del lines[rng.randrange(len(lines))]
    return b"".join(lines)


def duplicate_line(rng, data):
    lines = data.splitlines(keepends=True)
    index = rng.randrange(len(lines))
    lines.insert(index, lines[index])
    return b"".join(lines)


def swap_lines(rng, data):
    lines = data.splitlines(keepends=True)
    first, second = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[first], lines[second] = lines[second], lines[first]
    return b"".join(lines)


def swap_tags(rng, data):
    old, new = rng.sample(TAGS, 2) if b":61:" in data or b":20:" in data else rng.sample(ELEMENTS, 2)
    return data.replace(old, new, rng.randint(1, 3))


def reencode(rng, data):
    for source in ("utf-8", "cp1250", "iso-8859-2", "cp852"):
        try:
            text = data.decode(source)
            break
        except UnicodeDecodeError:
            continue
    return text.encode(rng.choice(["cp1250", "iso-8859-2", "cp852", "utf-16"]), errors="replace")


def wrong_namespace(rng, data):
    start = data.find(b"urn:iso:std:iso:20022:tech:xsd:camt.05")
    if start < 0:
        return data.replace(b":20:", b":2O:", 1)
    end = data.find(b'"', start)
    return data[:start] + rng.choice(NAMESPACES) + data[end:]


def mangle_values(rng, data):
    swaps = [(b",", b"."), (b".", b","), (b"C", b"X"), (b"2026", b"2O26"), (b"-", b"/"), (b"<", b"&")]
    old, new = rng.choice(swaps)
    positions = [i for i in range(len(data)) if data.startswith(old, i)]
    if not positions:
        return data
    at = rng.choice(positions)
    return data[:at] + new + data[at + len(old) :]


MUTATIONS = [
    truncate,
    flip_bytes,
    delete_line,
    duplicate_line,
    swap_lines,
    swap_tags,
    reencode,
    wrong_namespace,
    mangle_values,
]


def mutated_files():
    rng = random.Random(20260313)
    cases = []
    for name in SAMPLES:
        data = (DATA / name).read_bytes()
        for number in range(PER_SAMPLE):
            mutation = MUTATIONS[number % len(MUTATIONS)]
            mutated = mutation(rng, data)
            if rng.random() < 0.3:  # sometimes a second mutation on top
                mutated = rng.choice(MUTATIONS)(rng, mutated or data)
            cases.append(pytest.param(name, mutated, id=f"{name}-{mutation.__name__}-{number}"))
    return cases


CASES = mutated_files()


def test_enough_mutated_files():
    assert len(SAMPLES) == 6
    assert len(CASES) >= 200


@pytest.mark.parametrize(("name", "data"), CASES)
def test_mutated_file_parses_or_is_refused(name, data):
    try:
        statements = parse_statement_file(data, name)
    except StatementFileError as exc:
        assert str(exc)
        return
    assert isinstance(statements, list) and statements
    for statement in statements:
        assert statement.account_iban
        for tx in statement.transactions:
            assert tx.booking_date and tx.amount is not None
