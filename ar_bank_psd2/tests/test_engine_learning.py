"""Learning a customer's payment-title pattern from a match made by people, without a database."""

from ..engine.learning import learned_pattern


def test_the_pattern_keeps_the_customers_own_words_only():
    title = "Zapłata faktura FV/2026/00123 nr klienta ABC-77 Hurtownia Żółw 1230,00 PLN"
    assert learned_pattern(title, ["FV/2026/00123"], "Hurtownia Żółw Sp. z o.o.") == "klienta abc pln"


def test_a_title_of_invoice_numbers_and_common_words_teaches_nothing():
    assert learned_pattern("Przelew za fakturę FV/2026/00123", ["FV/2026/00123"], "Nowak") == ""
    assert learned_pattern("", [], "Nowak") == ""
    assert learned_pattern(None, ["FV/1"], None) == ""


def test_one_word_is_too_little_to_tell_a_customer():
    assert learned_pattern("FV/2026/00123 umowa", ["FV/2026/00123"], "Nowak") == ""
    assert learned_pattern("FV/2026/00123 umowa serwisowa", ["FV/2026/00123"], "Nowak") == "umowa serwisowa"
