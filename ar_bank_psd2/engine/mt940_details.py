"""The ``:86:`` field of an MT940 statement line: title, counterparty and account, by the bank's layout.

:func:`read_details` recognises the layout from the field itself:

* **structured subfields**: a 3-digit code, then a separator and two digits (``020~00…``, ``166?00…``).
  With ``?`` it is the German/Dutch DFÜ layout (``?20``-``?29``, ``?60``-``?63`` title, ``?30`` bank code or
  BIC, ``?31`` account or IBAN, ``?32``/``?33`` name; SEPA keywords ``EREF+``, ``SVWZ+``… split out); with
  ``~``, ``^``, ``<`` or ``+`` the Polish layout (``~20``-``~25`` title, ``~30`` sort code, ``~31`` account,
  ``~32``/``~33`` name, ``~38`` IBAN); with ``>`` Triodos (account kept as written);
* **tags** ``/EREF/ /CNTP/ /REMI/ /NAME/ /IBAN/ /BENM/ /ORDP/ /ACCW/`` (ING, ABN AMRO, Rabobank, Knab, bunq…);
* **mBank's keys** ``Z RACH.: OD: TYT.: TNR:`` in free text;
* **account and name first** (SNS, ASN): the first line repeats the account of the ``:61:`` line;
* anything else is free text, kept whole as the title.

Names have their runs of spaces collapsed; an account of zeros only is no account.
"""

import re
from dataclasses import dataclass

from stdnum.iso7064 import mod_97_10

from .statement import normalize_account, pl_iban_from_bban

# Pieces of a wrapped text this long were cut mid-word and are joined without a space.
SUBFIELD_WIDTH = 27
LINE_WIDTH = 65
# "020~00…" with the transaction code first, or "~00…" without (only separators no text begins with)
STRUCTURED = re.compile(r"(?:\d{3}(?P<separator>[~^<>+?])|(?P<lead>[~^<]))\d\d")
EMPTY_MARKS = "˙ÿ"  # PKO BP writes a lone 0xFF (Windows-1250) in an empty subfield
_TAGS = re.compile(
    r"/(EREF|MARF|CSID|CNTP|REMI|BENM|ORDP|NAME|IBAN|BIC|TRTP|ACCW|ADDR|ISDT|PURP|RTRN|ULTC|ULTD|ULTB|ID|CDTRREF)/"
)
_STRONG_TAGS = {"EREF", "CNTP", "REMI", "BENM", "ORDP", "NAME", "IBAN", "TRTP", "ACCW"}
_MBANK_KEYS = re.compile(r"(?:^|;)\s*(Z RACH\.|NA RACH\.|OD|DLA|TYT\.|TNR|ID IPH)\s*:\s*([^;]*)")
_KNAB = re.compile(r"REK:\s*(?P<account>[A-Z0-9]+)\s*/\s*NAAM:\s*(?P<name>.*)$")
_SEPA_KEYWORDS = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|COAM|OAMT)\+")
_PLACEHOLDERS = {"NOTPROVIDED", "NONREF", "NONE", "NOTAVAILABLE"}
_IBAN_SHAPE = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
_BIC_SHAPE = re.compile(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")
_SPLITTERS = {separator: re.compile(re.escape(separator) + r"(?=\d\d)") for separator in "~^<>+?"}
_SPACES_AND_DASHES = re.compile(r"[\s-]")
_NRB, _ACCOUNT_16, _ZEROS = re.compile(r"\d{26}"), re.compile(r"\d{16}"), re.compile(r"(PL)?0+")


@dataclass(slots=True)
class Details:
    remittance: str = ""
    counterparty_name: str = ""
    counterparty_iban: str = ""
    counterparty_bic: str = ""
    end_to_end_id: str = ""
    bank_reference: str = ""  # mBank's TNR
    title_for_mpp: str = ""  # the text to read a split payment from, when not the title


def read_details(lines: list[str], reference: str = "", supplementary: str = "") -> Details:
    """The details of one ``:86:`` field given as its lines (the tag removed).

    ``reference`` and ``supplementary`` are the customer reference and the second line of the ``:61:``
    line: some banks (SNS, ASN, Rabobank) put the counterparty's account and name there.
    """
    joined = "".join(lines)
    structured = STRUCTURED.match(joined)
    if structured:
        separator = structured["separator"] or structured["lead"]
        body = joined[0 if structured["lead"] else 3 :]
        if separator == "?":
            return _german(_subfields(body, "?"))
        return _polish(_subfields(body, separator), keep_account=separator == ">")
    # A line padded with spaces (SNS, ASN, ABN AMRO) ends a word: one space stands for the padding.
    text = join_wrapped(
        [line.rstrip() + " " if line[-1:] == " " else line for line in lines], LINE_WIDTH, "\n"
    )
    tags = list(_TAGS.finditer(text))
    if any(match[1] in _STRONG_TAGS for match in tags):
        return _tagged(text, tags, supplementary)
    flat = text.replace("\n", " ")
    keys = {key: value.strip() for key, value in _MBANK_KEYS.findall(flat)}
    if keys.keys() & {"TYT.", "Z RACH.", "NA RACH.", "TNR"}:
        return _mbank(flat, keys)
    details = _account_first(lines, reference) or Details(remittance=flat.strip())
    knab = _KNAB.search(flat)
    if knab:
        details.counterparty_iban = account(knab["account"])
        details.counterparty_name = collapse(knab["name"])
        details.remittance = flat[: knab.start()].strip()
    if not details.counterparty_iban and _IBAN_SHAPE.fullmatch(supplementary.replace(" ", "")):
        details.counterparty_iban = account(supplementary)
    return details


# ---------------------------------------------------------------- layouts


def _polish(parts: dict[int, str], keep_account=False) -> Details:
    details = Details(
        remittance=join_wrapped(parts.get(code, "") for code in range(20, 30)),
        counterparty_name=collapse(join_wrapped(parts.get(code, "") for code in (32, 33))),
    )
    iban, number = parts.get(38, ""), parts.get(31, "")
    digits = _SPACES_AND_DASHES.sub("", number)
    if iban:
        details.counterparty_iban = account(iban)
    elif keep_account:
        details.counterparty_iban = account(number)
    elif _NRB.fullmatch(digits):
        details.counterparty_iban = account(digits)
    elif _ACCOUNT_16.fullmatch(digits):
        details.counterparty_iban = account(pl_iban_from_bban(parts.get(30, ""), digits))
    return details


def _german(parts: dict[int, str]) -> Details:
    codes = (*range(20, 30), *range(60, 64))
    text = join_wrapped(parts.get(code, "") for code in codes)
    details = Details(
        remittance=text,
        counterparty_name=collapse(join_wrapped(parts.get(code, "") for code in (32, 33))),
    )
    number, bank = re.sub(r"\s", "", parts.get(31, "")), re.sub(r"\s", "", parts.get(30, ""))
    if _IBAN_SHAPE.fullmatch(number.upper()):
        details.counterparty_iban = account(number)
    elif re.fullmatch(r"\d{8}", bank) and re.fullmatch(r"\d{1,10}", number):
        details.counterparty_iban = de_iban_from_bban(bank, number)
    elif number:
        details.counterparty_iban = account(number)
    if _BIC_SHAPE.fullmatch(bank.upper()):
        details.counterparty_bic = bank.upper()
    keywords = list(_SEPA_KEYWORDS.finditer(text))
    if keywords:
        values = {}
        for index, match in enumerate(keywords):
            end = keywords[index + 1].start() if index + 1 < len(keywords) else len(text)
            values.setdefault(match[1], text[match.end() : end].strip())
        if values.get("SVWZ"):
            details.remittance = values["SVWZ"]
        eref = values.get("EREF", "")
        details.end_to_end_id = "" if eref.upper() in _PLACEHOLDERS else eref
    return details


def _tagged(text: str, tags, supplementary: str) -> Details:
    values = {}
    for index, match in enumerate(tags):
        end = tags[index + 1].start() if index + 1 < len(tags) else len(text)
        values.setdefault(match[1], text[match.end() : end])
    flat = {key: " ".join(value.replace("\n", " ").split()) for key, value in values.items()}
    flat = {key: value if key in ("CNTP", "REMI") else value.strip("/ ") for key, value in flat.items()}
    details = Details()
    remittance = flat.get("REMI", "")
    remittance = re.sub(r"^(USTD|STRD/CUR)/+", "", remittance).strip("/ ")
    details.remittance = remittance
    details.counterparty_name = collapse(flat.get("NAME", ""))
    details.counterparty_iban = account(flat.get("IBAN", ""))
    details.counterparty_bic = bic(flat.get("BIC", ""))
    eref = flat.get("EREF", "")
    details.end_to_end_id = "" if eref.upper() in _PLACEHOLDERS else eref
    if flat.get("CNTP"):  # IBAN/BIC/name/city
        parts = flat["CNTP"].split("/")
        details.counterparty_iban = details.counterparty_iban or account(parts[0])
        details.counterparty_bic = details.counterparty_bic or bic(parts[1] if len(parts) > 1 else "")
        details.counterparty_name = details.counterparty_name or collapse(parts[2] if len(parts) > 2 else "")
    if flat.get("ACCW"):  # IBAN,BIC
        iban, _comma, code = flat["ACCW"].partition(",")
        details.counterparty_iban = details.counterparty_iban or account(iban)
        details.counterparty_bic = details.counterparty_bic or bic(code)
    for party in ("BENM", "ORDP"):
        value = values.get(party, "")
        if value and not value.startswith("/"):  # account, then name, codes and purpose a line each
            pieces = [piece.strip().lstrip("/").strip() for piece in value.split("\n") if piece.strip()]
            details.counterparty_iban = details.counterparty_iban or account(pieces[0])
            if len(pieces) > 1:
                details.counterparty_name = details.counterparty_name or collapse(pieces[1])
            if len(pieces) > 3 and not details.remittance:
                details.remittance = pieces[-1]
    if not details.counterparty_iban and _IBAN_SHAPE.fullmatch(supplementary.replace(" ", "")):
        details.counterparty_iban = account(supplementary)
    return details


def _mbank(flat: str, keys: dict[str, str]) -> Details:
    title = keys.get("TYT.", "")
    return Details(
        # without TYT. (a fee, a card payment): the text less the keys read into their own fields
        remittance=collapse(title) if title else _MBANK_KEYS.sub("", flat).strip(" ;"),
        counterparty_name=collapse(keys.get("OD") or keys.get("DLA") or ""),
        counterparty_iban=account(keys.get("Z RACH.") or keys.get("NA RACH.") or ""),
        bank_reference=keys.get("TNR", "").replace(" ", ""),
        title_for_mpp=title or flat,
    )


def _account_first(lines: list[str], reference: str) -> Details | None:
    """SNS/ASN: ``<account> <name>`` on the first line (the account of the ``:61:`` line), the title after."""
    reference = reference.strip()
    first = lines[0].strip() if lines else ""
    if not reference or reference.upper() in _PLACEHOLDERS or not first.startswith(reference + " "):
        return None
    return Details(
        remittance=join_wrapped((line.strip() for line in lines[1:]), LINE_WIDTH),
        counterparty_name=collapse(first[len(reference) :]),
        counterparty_iban=account(reference),
    )


# ---------------------------------------------------------------- text helpers


def _subfields(body: str, separator: str) -> dict[int, str]:
    """``{20: 'title…', 32: 'name'}`` from ``~20title…~32name``; a repeated code is appended to."""
    parts = {}
    for piece in _SPLITTERS[separator].split(body):
        if len(piece) < 2 or not piece[:2].isdigit():
            continue
        value = piece[2:]
        if value.strip(EMPTY_MARKS + " ") == "":
            value = ""
        code = int(piece[:2])
        parts[code] = join_wrapped((parts[code], value)) if code in parts else value
    return parts


def join_wrapped(pieces, width=SUBFIELD_WIDTH, separator=" ") -> str:
    """Wrapped pieces as one text: no separator after a piece that fills its width (it was cut mid-word)."""
    text, previous = "", ""
    for piece in pieces:
        if not piece:
            continue
        if text and len(previous) < width and not text.endswith((" ", "\n")) and not piece.startswith(" "):
            text += separator
        text += piece
        previous = piece
    return text.strip()


def collapse(text: str) -> str:
    return " ".join((text or "").split())


def account(value: str) -> str:
    """An account as written, normalized; zeros only (a placeholder) give ''."""
    normalized = normalize_account(value)
    return "" if _ZEROS.fullmatch(normalized) else normalized


def bic(value: str) -> str:
    """A BIC as written (8 or 11 characters), or '' when ``value`` is not one."""
    value = (value or "").strip().upper()
    return value if _BIC_SHAPE.fullmatch(value) else ""


def de_iban_from_bban(bank_code: str, number: str) -> str:
    """The German IBAN of an 8-digit Bankleitzahl and an account number of up to 10 digits."""
    bban = bank_code + number.zfill(10)
    return "DE" + mod_97_10.calc_check_digits(bban + "DE") + bban
