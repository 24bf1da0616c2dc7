"""Reading customers' replies, without a database."""

from datetime import date

import pytest

from ..engine.replies import (
    Rule,
    classify,
    normalise,
    own_text,
    promised_date,
    sender_belongs,
)
from ..engine.text import fold_accents

RULES = [
    Rule(1, "dispute", "reklamacja", lang="pl"),
    Rule(2, "dispute", "błędna ilość", lang="pl", category="quantity"),
    Rule(3, "dispute", "proszę o korektę", lang="pl"),
    Rule(4, "dispute", "wrong quantity", lang="en", category="quantity"),
    Rule(5, "dispute", "damaged", lang="en", category="quality"),
    Rule(6, "dispute", "credit note please", lang="en"),
    Rule(7, "dispute", r"\bfaktur\w* (?:jest )?bledn", match="regex", category="other"),
    Rule(20, "promise", "zapłacimy", lang="pl"),
    Rule(21, "promise", "payment sent", lang="en"),
    Rule(22, "promise", "we will pay", lang="en"),
]
MONDAY = date(2026, 11, 23)


def kind(body):
    return classify(body, RULES, MONDAY).kind


@pytest.mark.parametrize(
    "body",
    [
        "Dzień dobry, zgłaszamy reklamację dostawy.",
        "Reklamacje zgłosimy jutro",
        "W sprawie reklamacji z zeszłego tygodnia",
        "Bledna ilosc na fakturze",
        "BŁĘDNA ILOŚĆ!!!",
        "Na fakturze jest błędnie wpisana ilość",
        "Proszę o korektę faktury",
        "prosze o korekte",
        "Wrong quantity on line 2",
        "The goods arrived damaged.",
        "Credit note please, the price was agreed lower",
        "Ta faktura jest błędna",
    ],
)
def test_complaints_in_polish_and_english_with_inflections_and_without_diacritics(body):
    assert kind(body) == "dispute"


@pytest.mark.parametrize(
    "body",
    [
        "Dziękujemy, wszystko w porządku.",
        "Thank you for the invoice.",
        "Bitte senden Sie uns die Rechnung erneut.",
        "Nie mamy żadnych uwag, brak reklamacji? No damaged goods.",
        "",
        "   ",
        "<p></p>",
    ],
)
def test_other_replies_are_nothing(body):
    assert kind(body) == ""


def test_a_complaint_wins_over_a_promise_and_names_its_rule():
    finding = classify("Zapłacimy po korekcie, bo jest błędna ilość.", RULES, MONDAY)
    assert finding.kind == "dispute"
    assert finding.rule.key == 2
    assert finding.rule.category == "quantity"
    assert finding.excerpt == "bledna ilosc"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Zapłacimy w piątek.", date(2026, 11, 27)),
        ("Zapłacimy jutro", date(2026, 11, 24)),
        ("zaplacimy do 15.12", date(2026, 12, 15)),
        ("Zapłacimy 2026-12-01", date(2026, 12, 1)),
        ("We will pay on 05/01/2027", date(2027, 1, 5)),
        ("Payment sent today.", MONDAY),
        ("Payment sent.", MONDAY),
        ("We will pay by the end of the month", date(2026, 11, 30)),
        ("Zapłacimy w ciągu 10 dni", date(2026, 12, 3)),
        ("We will pay next week", date(2026, 12, 4)),
        ("Zapłacimy w poniedziałek", MONDAY),
    ],
)
def test_promises_and_their_dates(body, expected):
    finding = classify(body, RULES, MONDAY)
    assert finding.kind == "promise"
    assert finding.promised_date == expected


def test_a_negated_promise_is_not_one():
    assert kind("Nie zapłacimy tej faktury.") == ""
    assert kind("We won't pay... we will pay never") == "promise"


def test_a_past_day_month_date_means_next_year_only_when_long_past():
    assert promised_date("do 20.11", MONDAY) == date(2026, 11, 20)
    assert promised_date("do 05.01", MONDAY) == date(2027, 1, 5)
    assert promised_date("31.02", MONDAY) is None


def test_quoted_history_is_not_read():
    body = (
        "Dziękujemy, zapłacimy w piątek.\n\n"
        "W dniu 20.11.2026 Hurtownia <biuro@hurtownia.pl> pisze:\n"
        "> Reklamacja? Prosimy o zapłatę faktury.\n"
    )
    assert classify(body, RULES, MONDAY).kind == "promise"
    html = (
        "<div>Payment sent.</div><div class='gmail_quote'>On Fri, Seller wrote:"
        "<blockquote>Wrong quantity? Please pay.</blockquote></div>"
    )
    assert classify(html, RULES, MONDAY).kind == "promise"
    outlook = "Payment sent\r\n\r\nFrom: Seller <a@b.pl>\r\nSent: Friday\r\nSubject: damaged goods"
    assert classify(outlook, RULES, MONDAY).kind == "promise"


def test_html_only_bodies_are_read_as_text():
    assert kind(
        "<html><body><p>Towar dotarł <b>uszkodzony</b>, zgłaszamy <i>reklamację</i>.</p></body></html>"
    ) == ("dispute")
    assert own_text("<style>p {color: red}</style><p>Hello</p>").strip() == "hello"


def test_huge_bodies_are_read_up_to_a_limit_without_failing():
    body = "Dzień dobry. " * 100_000 + "Reklamacja."
    assert len(body) > 1_000_000
    assert kind(body) == ""
    assert kind("Reklamacja. " + "x" * 1_000_000) == "dispute"


def test_broken_markup_and_bad_regex_do_not_fail():
    assert kind("<p>reklamacja <b>") == "dispute"
    assert kind("<<<>>>") == ""
    bad = [Rule(1, "dispute", "([unclosed", match="regex")]
    assert classify("anything", bad, MONDAY).kind == ""


def test_normalise_removes_polish_diacritics():
    assert normalise("Zażółć GĘŚLĄ jaźń") == "zazolc gesla jazn"


def test_sender_belongs_to_the_customer():
    customer = ["ap@kowalski.pl", "jan@kowalski.pl", "kowalski.firma@gmail.com"]
    assert sender_belongs("AP@Kowalski.pl", customer)
    assert sender_belongs("zbyszek@kowalski.pl", customer)
    assert sender_belongs("kowalski.firma@gmail.com", customer)
    assert not sender_belongs("someone@gmail.com", customer)
    assert not sender_belongs("attacker@evil.example.com", customer)
    assert not sender_belongs("", customer)
    assert not sender_belongs("not-an-address", customer)


def test_fold_accents_drops_polish_and_other_diacritics_and_keeps_the_rest():
    assert fold_accents("Zażółć GĘŚLĄ jaźń, Łódź; Crème brûlée 12/2026") == (
        "Zazolc GESLA jazn, Lodz; Creme brulee 12/2026"
    )
    assert fold_accents(None) == ""
