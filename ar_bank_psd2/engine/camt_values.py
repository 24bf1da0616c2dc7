"""Values read from camt elements: signed amounts, dates, child look-ups by path, errors naming the line
and the element path."""

import re
from datetime import date
from decimal import Decimal

from .statement import StatementFileError

_AMOUNT = re.compile(r"\d{1,18}(\.\d{1,5})?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SIGNS = {"CRDT": 1, "DBIT": -1}


def _signed_amount(node, default_sign=None) -> tuple[Decimal, str]:
    """``Amt`` signed by ``CdtDbtInd`` (``default_sign`` when that is absent), and its currency."""
    amount = node.leaf("Amt")
    if amount is None:
        raise _error(node.element, "the amount (Amt) is missing")
    text = (amount.text or "").strip()
    if not _AMOUNT.fullmatch(text):
        raise _error(amount, f"{text!r} is not an amount")
    indicator = node.text("CdtDbtInd").upper()
    sign = _SIGNS.get(indicator, default_sign if not indicator else None)
    if sign is None:
        raise _error(node.element, f"CdtDbtInd must be CRDT or DBIT, not {indicator or 'missing'!r}")
    return sign * Decimal(text), (amount.get("Ccy") or "").strip().upper()


def _date_of(node, path, required=False, alone=False) -> date | None:
    """The date at ``path/Dt`` or ``path/DtTm`` (at ``path`` itself when ``alone``)."""
    found = node.leaf(path)
    if not alone:
        found = node.leaf(f"{path}/Dt")
        found = node.leaf(f"{path}/DtTm") if found is None else found
    text = (found.text or "").strip() if found is not None else ""
    if not text:
        if required:
            raise _error(node.element, f"the date {path}/Dt is missing")
        return None
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        return date.fromisoformat(text[:10])
    except ValueError:
        raise _error(found, f"{text!r} is not a date") from None


class _Node:
    """An element read once: its leaf elements by local path (``RltdPties/Dbtr/Nm``).

    The elements at the ``nested`` paths are not descended into but listed, to be read on their own
    (the ``TxDtls`` of an entry, the ``Bal`` of a statement). One walk per element and dictionary
    lookups afterwards are several times faster than an ``ElementPath`` search per field.
    """

    __slots__ = ("element", "leaves", "nested")

    def __init__(self, element, nested=()):
        self.element = element
        self.leaves = {}
        self.nested = {}
        self._walk(element, "", element.tag.find("}") + 1, nested)

    def _walk(self, parent, prefix, cut, nested):
        for child in parent:
            if not isinstance(child.tag, str):
                continue  # an unresolved entity reference
            path = prefix + child.tag[cut:]
            if path in nested:
                self.nested.setdefault(path, []).append(child)
            elif len(child):
                self._walk(child, path + "/", cut, nested)
            else:
                self.leaves.setdefault(path, []).append(child)

    def leaf(self, path):
        found = self.leaves.get(path)
        return found[0] if found else None

    def text(self, path) -> str:
        found = self.leaves.get(path)
        return (found[0].text or "").strip() if found else ""

    def texts(self, path) -> list[str]:
        return [(found.text or "").strip() for found in self.leaves.get(path, ())]

    def raw_texts(self, path) -> list[str]:
        return [found.text or "" for found in self.leaves.get(path, ())]


def _path_of(element) -> str:
    names = []
    while element is not None:
        names.append(element.tag.rpartition("}")[2] if isinstance(element.tag, str) else "?")
        element = element.getparent()
    return "/".join(reversed(names))


def _error(element, problem) -> StatementFileError:
    return StatementFileError(f"line {element.sourceline}: {_path_of(element)}: {problem}")


def _syntax_error(exc) -> StatementFileError:
    line = exc.lineno or (exc.position[0] if exc.position else "?")
    return StatementFileError(f"line {line}: invalid XML: {exc.msg}")
