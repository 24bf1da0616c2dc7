"""One entry point for every statement file a user may upload."""

import codecs
import re

from .camt import parse_camt
from .mt940 import parse_mt940
from .statement import Statement, StatementFileError

_MT940_MARKERS = re.compile(rb"(^|[\r\n\x01])\s*(\{1:|\{4:|:20:|:25:)")


def parse_statement_file(data: bytes, filename: str = "") -> list[Statement]:
    """The statements of a camt.053/camt.054 (XML) or MT940/MT942 file.

    The format is recognised from the content; the file name only breaks a tie (a file that looks like
    neither but is named ``*.xml`` is reported as XML). Raises :class:`StatementFileError` for an empty,
    unknown or broken file.
    """
    data = bytes(data or b"")
    head = data[:4096]
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    if head.startswith((b"\x00", b"<\x00")):  # UTF-16 without its BOM after all
        head = head.replace(b"\x00", b"")
    if not head.strip():
        raise StatementFileError(f"{filename or 'the file'} is empty")
    if head.lstrip().startswith(b"<"):
        return parse_camt(data)
    if _MT940_MARKERS.search(head):
        return parse_mt940(data)
    if (filename or "").lower().endswith(".xml"):
        return parse_camt(data)
    raise StatementFileError(
        f"line 1: {filename or 'the file'} is neither an ISO 20022 camt (XML) nor an MT940 statement"
    )
