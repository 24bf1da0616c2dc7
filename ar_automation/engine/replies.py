"""What a customer's reply says: a complaint (a dispute), a promise to pay with its date, or neither.

The text is reduced to what the customer wrote (quoted history and signatures' "On … wrote:" blocks cut,
HTML turned into text), lower-cased and stripped of Polish diacritics, so that "Błędna ilość" and
"bledna ilosc" read the same. Rules are keyword phrases or regular expressions:

* a keyword phrase matches its words in order, each word allowed up to two other words before the next one;
  for Polish rules a word matches its inflections (the keyword's trailing vowels are optional and any ending
  may follow: "reklamacja" matches "reklamacje", "reklamacji", "reklamację"); for other languages a word
  matches the words it begins ("damage" matches "damaged");
  a phrase right after a negation ("nie", "no", "not", "won't"…) does not count;
* a regular expression is searched in the normalised text.

A complaint wins over a promise ("we will pay once you send the credit note" is a dispute).
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from lxml import etree, html

from .text import fold_accents

MAX_TEXT = 50_000  # characters of the customer's own text that are read; the rest of a huge body is not
WORD = re.compile(r"[a-z0-9]+")
VOWELS = "aeiouy"
MAX_GAP = 2
# A word right before a phrase that negates it: "nie zapłacimy", "no damage", "won't pay" ("won", "t").
NEGATIONS = frozenset({"nie", "bez", "brak", "nigdy", "not", "no", "never", "without", "cannot", "t"})

# Where the quoted history of a reply starts (normalised, lower-case text, at the start of a line).
QUOTE_HEADERS = re.compile(
    r"^\s*(?:"
    r"on .{0,300}wrote:?"
    r"|w dniu .{0,300}(?:pisze|napisal|napisala|napisal\(a\)):?"
    r"|dnia .{0,300}(?:pisze|napisal|napisala|napisal\(a\)):?"
    r"|-{2,}\s*(?:original message|wiadomosc oryginalna|oryginalna wiadomosc|forwarded message)"
    r"|_{5,}"
    r"|(?:from|od|sent|wyslano|wyslane):\s.*"
    r")\s*$",
    re.M,
)
# HTML elements holding quoted history in the common mail clients.
QUOTE_XPATH = (
    "//blockquote | //*[contains(concat(' ', normalize-space(@class), ' '), ' gmail_quote ')]"
    " | //*[contains(@class, 'moz-cite-prefix')] | //*[@id='divRplyFwdMsg'] | //*[@id='appendonsend']"
    " | //*[@data-o-mail-quote] | //style | //script | //head"
)

WEEKDAYS = {
    "poniedzialek": 0,
    "poniedzialku": 0,
    "wtorek": 1,
    "wtorku": 1,
    "sroda": 2,
    "srode": 2,
    "srody": 2,
    "czwartek": 3,
    "czwartku": 3,
    "piatek": 4,
    "piatku": 4,
    "sobota": 5,
    "sobote": 5,
    "niedziela": 6,
    "niedziele": 6,
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
RELATIVE_DAYS = {
    "dzisiaj": 0,
    "dzis": 0,
    "today": 0,
    "jutro": 1,
    "tomorrow": 1,
    "pojutrze": 2,
}
DATE_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
DATE_DMY = re.compile(r"\b(\d{1,2})[./-](\d{1,2})(?:[./-](\d{4}|\d{2}))?\b")
WITHIN_DAYS = re.compile(r"\b(?:w ciagu|within|in)\s+(\d{1,2})\s+(?:dni|dnia|days?)\b")
NEXT_WEEK = re.compile(r"\b(?:w przyszlym tygodniu|przyszly tydzien|next week)\b")
MONTH_END = re.compile(r"\b(?:(?:do\s+)?konca miesiaca|koniec miesiaca|end of (?:the )?month)\b")


@dataclass(frozen=True)
class Rule:
    """A recognition rule: ``kind`` is ``dispute`` or ``promise``; ``match`` is ``keyword`` or ``regex``;
    ``lang`` a language code (``pl``, ``en``…) or empty for any."""

    key: int
    kind: str
    pattern: str
    match: str = "keyword"
    lang: str = ""
    category: str = "other"


@dataclass(frozen=True)
class Finding:
    kind: str  # "dispute", "promise" or "" (nothing recognised)
    rule: Rule | None = None
    excerpt: str = ""  # the words that matched, as normalised
    promised_date: date | None = None


def normalise(text):
    """Lower-case text without Polish (or other) diacritics, whitespace kept."""
    return fold_accents(text).lower()


def html_to_text(body):
    """The visible text of an HTML body without the quoted history; plain text is returned as it is."""
    if not body or not body.strip():
        return ""
    if "<" not in body:
        return body
    try:
        root = html.fromstring(body)
    except (etree.ParserError, ValueError):
        return re.sub(r"<[^>]*>", " ", body)
    for element in root.xpath(QUOTE_XPATH):
        if element.getparent() is not None:
            element.drop_tree()
    for element in root.iter("br", "p", "div", "li", "tr"):
        element.tail = "\n" + (element.tail or "")
    return root.text_content()


def own_text(body):
    """What the customer wrote: HTML reduced to text, quoted lines and history cut, normalised."""
    text = normalise(html_to_text(body)[: MAX_TEXT * 2])
    header = QUOTE_HEADERS.search(text)
    if header:
        text = text[: header.start()]
    lines = [line for line in text.splitlines() if not line.lstrip().startswith(">")]
    return "\n".join(lines)[:MAX_TEXT]


def _stem(word, lang):
    if lang != "pl":
        return word
    stem = word
    while len(stem) > 4 and stem[-1] in VOWELS and len(word) - len(stem) < 2:
        stem = stem[:-1]
    return stem


def _keyword_match(tokens, phrase, lang):
    stems = [_stem(word, lang) for word in WORD.findall(normalise(phrase))]
    if not stems:
        return ""
    for start, token in enumerate(tokens):
        if not token.startswith(stems[0]) or (start and tokens[start - 1] in NEGATIONS):
            continue
        position, matched = start, [token]
        for stem in stems[1:]:
            window = tokens[position + 1 : position + 2 + MAX_GAP]
            offset = next((i for i, word in enumerate(window) if word.startswith(stem)), None)
            if offset is None:
                break
            position += offset + 1
            matched.append(tokens[position])
        else:
            return " ".join(matched)
    return ""


def match_rule(rule, text, tokens):
    """The excerpt of ``text`` (normalised) matched by ``rule``, or an empty string."""
    if rule.match == "regex":
        try:
            found = re.search(rule.pattern, text)
        except re.error:
            return ""
        return found.group(0) if found else ""
    return _keyword_match(tokens, rule.pattern, rule.lang)


def promised_date(text, today):
    """The payment date a promise names, relative to ``today``, or None when it names none."""
    found = DATE_ISO.search(text)
    if found:
        return _safe_date(int(found[1]), int(found[2]), int(found[3]))
    for found in DATE_DMY.finditer(text):
        day, month, year = int(found[1]), int(found[2]), found[3]
        if not 1 <= month <= 12 or not 1 <= day <= 31:
            continue
        if year:
            year = int(year) + (2000 if len(year) == 2 else 0)
            return _safe_date(year, month, day)
        candidate = _safe_date(today.year, month, day)
        if candidate and candidate < today - timedelta(days=31):
            candidate = _safe_date(today.year + 1, month, day)
        if candidate:
            return candidate
    found = WITHIN_DAYS.search(text)
    if found:
        return today + timedelta(days=int(found[1]))
    if NEXT_WEEK.search(text):
        return today + timedelta(days=7 - today.weekday() + 4)
    if MONTH_END.search(text):
        following = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        return following - timedelta(days=1)
    for word in WORD.findall(text):
        if word in RELATIVE_DAYS:
            return today + timedelta(days=RELATIVE_DAYS[word])
        if word in WEEKDAYS:
            return today + timedelta(days=(WEEKDAYS[word] - today.weekday()) % 7)
    return None


def _safe_date(year, month, day):
    try:
        return date(year, month, day)
    except ValueError:
        return None


def classify(body, rules, today):
    """Read a reply (``body``: HTML or text) with ``rules`` (in priority order) and say what it is."""
    text = own_text(body)
    if not text.strip():
        return Finding("")
    tokens = WORD.findall(text)
    promise = None
    for rule in rules:
        if promise is not None and rule.kind != "dispute":
            continue
        excerpt = match_rule(rule, text, tokens)
        if not excerpt:
            continue
        if rule.kind == "dispute":
            return Finding("dispute", rule, excerpt)
        promise = Finding("promise", rule, excerpt, promised_date(text, today) or today)
    return promise or Finding("")


PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "proton.me",
        "protonmail.com",
        "wp.pl",
        "o2.pl",
        "onet.pl",
        "onet.eu",
        "op.pl",
        "interia.pl",
        "interia.eu",
        "gazeta.pl",
        "tlen.pl",
        "poczta.fm",
        "vp.pl",
        "gmx.com",
        "gmx.de",
    }
)


def sender_belongs(sender, customer_emails):
    """Whether the address ``sender`` is one of the customer's addresses or in one of their own (not
    public webmail) domains."""
    sender = (sender or "").strip().lower()
    if "@" not in sender:
        return False
    emails = {email.strip().lower() for email in customer_emails if email and "@" in email}
    if sender in emails:
        return True
    domain = sender.rsplit("@", 1)[1]
    own_domains = {email.rsplit("@", 1)[1] for email in emails} - PUBLIC_MAIL_DOMAINS
    return domain in own_domains
