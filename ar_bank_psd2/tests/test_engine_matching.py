"""The cash-application matching engine and ISO 11649 creditor references, without a database."""

import time
from datetime import date, timedelta
from decimal import Decimal

import pytest

from ..engine.ksef import crc8, find_ksef, is_valid_ksef, normalize_ksef
from ..engine.matching import (
    REASON_CODES,
    BankLine,
    Customer,
    OpenItem,
    Settings,
    match_lines,
    reason_code,
    reason_codes,
)
from ..engine.rf import compact_rf, find_rf, is_valid_rf, rf_reference

D = Decimal
TODAY = date(2026, 3, 16)
OUR_NIP = "5260250274"
ZOLW_IBAN = "PL27114020040000300201355387"
ATLAS_IBAN = "DE89370400440532013000"
FACTOR_IBAN = "PL28124000011111000012345678"
ZOLW, ATLAS, KOWALSKI, FACTOR = 1, 2, 3, 4
RF_131 = rf_reference("2026131")

CUSTOMERS = [
    Customer(ZOLW, "Hurtownia Żółw Sp. z o.o.", "PL7010000005", (ZOLW_IBAN,), ("nr klienta 00042",)),
    Customer(ATLAS, "Atlas Trading Ltd", "DE123456789", (ATLAS_IBAN,)),
    Customer(KOWALSKI, "PHU Kowalski Jan", "9510000009"),
    Customer(FACTOR, "Pekao Faktoring Sp. z o.o.", "", (FACTOR_IBAN,)),
]


def item(item_id, partner, number, residual, currency="PLN", due=None, rf="", payment_reference=None):
    return OpenItem(
        id=item_id,
        move_id=1000 + item_id,
        partner_id=partner,
        number=number,
        payment_reference=number if payment_reference is None else payment_reference,
        rf_reference=rf,
        residual=D(residual),
        currency=currency,
        due_date=due or date(2026, 2, 1) + timedelta(days=item_id),
        invoice_date=date(2026, 1, 15),
    )


ITEMS = [
    item(11, ZOLW, "FV/2026/00123", "1230.00"),
    item(12, ZOLW, "FV/2026/00124", "500.00"),
    item(13, ZOLW, "FV/2026/00125", "250.50"),
    item(21, ATLAS, "INV/2026/00012", "800.00", currency="EUR"),
    item(31, KOWALSKI, "FV/2026/00131", "615.00", rf=RF_131),
    item(32, KOWALSKI, "FV/2026/00132", "99.99"),
]


def line(amount, remittance="", line_id=1, currency="PLN", **values):
    return BankLine(
        id=line_id, amount=D(amount), currency=currency, date=TODAY, remittance=remittance, **values
    )


def proposals(bank_line, items=None, customers=None, settings=None, **options):
    result = match_lines(
        [bank_line], ITEMS if items is None else items, customers or CUSTOMERS, settings, **options
    )
    return result[bank_line.id]


def best(bank_line, **options):
    ranked = proposals(bank_line, **options)
    assert ranked, "no proposal"
    return ranked[0]


def allocated(proposal):
    return {allocation.item_id: allocation.amount for allocation in proposal.allocations}


def automatic(proposal, threshold=90):
    return not proposal.ambiguous and proposal.score >= threshold


# ------------------------------------------------------------------------------ ISO 11649 references


def test_rf_reference_computes_the_check_digits():
    assert rf_reference("539007547034") == "RF18539007547034"
    assert rf_reference("5390 0754 7034") == "RF18539007547034"
    assert is_valid_rf(rf_reference("abc123")) and rf_reference("abc123").startswith("RF")
    assert len(rf_reference("1" * 21)) == 25


@pytest.mark.parametrize("base", ["", "  ", "FV/2026/1", "ŻÓŁW1", "1" * 22])
def test_rf_reference_rejects_what_cannot_be_a_base(base):
    with pytest.raises(ValueError, match="RF reference"):
        rf_reference(base)


def test_valid_and_compact_rf():
    assert is_valid_rf("RF18 5390 0754 7034") and is_valid_rf("rf18539007547034")
    assert not is_valid_rf("RF17 5390 0754 7034")  # wrong check digits
    assert not is_valid_rf("RF18") and not is_valid_rf("") and not is_valid_rf(None)
    assert not is_valid_rf("XX18539007547034")
    assert compact_rf(" rf18 5390\t0754 7034 ") == "RF18539007547034"


def test_find_rf_in_free_text():
    text = "Zapłata RF18 5390 0754 7034 dla RF17 5390 0754 7034, ponownie rf18539007547034; oraz " + RF_131
    assert find_rf(text) == ["RF18539007547034", RF_131]
    assert find_rf("RF18 5390 0754 7034 zapłata") == ["RF18539007547034"]
    assert find_rf("XRF18539007547034 REF18") == []
    assert find_rf("") == [] and find_rf(None) == []


# --------------------------------------------------------------------------------------- references


def test_exact_reference_and_equal_amount():
    proposal = best(line("1230.00", "Zapłata za fakturę FV/2026/00123"))
    assert proposal.score >= 95 and not proposal.ambiguous
    assert allocated(proposal) == {11: D("1230.00")}
    assert proposal.partner_id == ZOLW and proposal.writeoff == 0 and proposal.overpayment == 0
    assert "ref:exact:FV/2026/00123" in proposal.reasons and "amount:equal" in proposal.reasons


def test_exact_reference_ignores_case_and_accents():
    proposal = best(line("1230.00", "ZAPŁATA fv/2026/00123"))
    assert "ref:exact:FV/2026/00123" in proposal.reasons and proposal.score >= 95


@pytest.mark.parametrize(
    "quoted",
    ["FV 2026 123", "FV2026/123", "fv/2026/0123", "FV202600123", "FV-2026-00123", "FV / 2026 / 00123"],
)
def test_normalised_reference(quoted):
    proposal = best(line("1230.00", f"Faktura nr {quoted} dziękujemy"))
    assert "ref:normalised:FV/2026/00123" in proposal.reasons
    assert allocated(proposal) == {11: D("1230.00")} and proposal.score >= 95


def test_reference_with_one_typo_when_unique():
    proposal = best(line("615.00", "Zapłata FV/2026/01031"))  # 00131 with a zero turned into a one
    assert "ref:fuzzy:FV/2026/00131" in proposal.reasons
    assert allocated(proposal) == {31: D("615.00")}
    assert 85 <= proposal.score <= 90


def test_reference_with_a_typo_fitting_two_invoices_is_not_guessed():
    items = ITEMS + [item(41, KOWALSKI, "FV/2026/00143", "1230.00")]
    ranked = proposals(line("1230.00", "Zapłata FV/2026/00133"), items=items)  # 00123 or 00143?
    assert not any(reason.startswith("ref:fuzzy") for p in ranked for reason in p.reasons)
    assert all(p.score < 50 for p in ranked)


def test_typo_giving_another_customers_invoice_is_corrected_by_amount_and_payer():
    items = ITEMS + [item(41, KOWALSKI, "FV/2026/00213", "77.00")]
    bank_line = line("1230.00", "Przelew FV/2026/00213", counterparty_iban=ZOLW_IBAN)  # 00123 meant
    proposal = best(bank_line, items=items)
    assert allocated(proposal) == {11: D("1230.00")}
    assert automatic(proposal) and "ref:fuzzy:FV/2026/00123" in proposal.reasons


def test_typos_are_not_looked_for_when_switched_off():
    ranked = proposals(line("615.00", "Zapłata FV/2026/01031"), settings=Settings(fuzzy_max_distance=0))
    assert all(p.score < 50 for p in ranked)


@pytest.mark.parametrize(
    "remittance",
    [
        "Zapłata 2026",
        "przelew 123",
        "faktura 00123",
        "za okres 2026-03-15",
        "z dnia 15.03.2026",
        "FV 2026",
        "2026/00123",
    ],
)
def test_years_dates_and_short_numbers_do_not_match(remittance):
    items = ITEMS + [item(41, KOWALSKI, "FV/2026/00315", "1.00"), item(42, KOWALSKI, "2026/03/15", "1.00")]
    assert proposals(line("7.77", remittance), items=items) == []


def test_rf_reference_in_the_title():
    proposal = best(
        line("615.00", f"Payment {' '.join(RF_131[k : k + 4] for k in range(0, len(RF_131), 4))}")
    )
    assert f"rf:{RF_131}" in proposal.reasons and allocated(proposal) == {31: D("615.00")}
    assert proposal.score >= 95


def test_rf_reference_as_structured_reference():
    proposal = best(line("615.00", "", structured_reference=RF_131))
    assert f"rf:{RF_131}" in proposal.reasons and proposal.score >= 95


def test_rf_reference_with_wrong_check_digits_does_not_match():
    wrong = "RF00" + RF_131[4:]
    assert proposals(line("7.77", f"Payment {wrong}", structured_reference=wrong)) == []


def test_split_payment_names_the_invoice():
    title = f"/VAT/230,00/IDC/{OUR_NIP}/INV/FV/2026/00123/TXT/zapłata"
    proposal = best(line("1230.00", title))
    assert "mpp:inv" in proposal.reasons and "ref:exact:FV/2026/00123" in proposal.reasons
    assert proposal.score >= 95


def test_split_payment_nip_is_ours_not_the_payers():
    customers = [*CUSTOMERS, Customer(9, "Nasza Firma Sp. z o.o.", f"PL{OUR_NIP}")]
    items = [*ITEMS, item(91, 9, "FV/2026/00991", "1230.00")]
    proposal = best(
        line("1230.00", f"/VAT/230,00/IDC/{OUR_NIP}/INV/FV/2026/00123"), items=items, customers=customers
    )
    assert allocated(proposal) == {11: D("1230.00")} and automatic(proposal)
    assert not {"partner:vat", "partner:third_party"} & set(proposal.reasons)
    unknown_invoice = proposals(
        line("1230.00", f"/VAT/230,00/IDC/{OUR_NIP}/INV/X1"), items=items, customers=customers
    )
    assert all("partner:vat" not in p.reasons and p.score < 50 for p in unknown_invoice)


# ------------------------------------------------------------------------------------------ amounts


def test_bank_fee_within_tolerance_is_written_off():
    proposal = best(line("1227.5", "FV/2026/00123"))
    assert allocated(proposal) == {11: D("1230.00")} and proposal.writeoff == D("2.50")
    assert "amount:writeoff:2.50" in proposal.reasons
    assert 90 <= proposal.score < best(line("1230.00", "FV/2026/00123")).score


def test_shortfall_above_the_percentage_is_a_partial_payment():
    proposal = best(line("97.00", "FV/2026/00132"))  # 2.99 short on 99.99: more than 2 %
    assert proposal.writeoff == 0 and "partial" in proposal.reasons
    assert allocated(proposal) == {32: D("97.00")}


def test_partial_payment_with_a_reference():
    # With the partial-payment policy off (on by default: see test_partial_payment_quoting_one_invoice…).
    proposal = best(
        line("400.00", "Faktura FV/2026/00123 rata 1"), settings=Settings(partial_when_exact=False)
    )
    assert allocated(proposal) == {11: D("400.00")} and "partial" in proposal.reasons
    assert 80 <= proposal.score <= 88 and not automatic(proposal)


def test_partial_payment_or_typo_of_a_neighbouring_invoice_is_left_to_a_person():
    ranked = proposals(line("500.00", "Faktura FV/2026/00123"))  # FV/2026/00124 is open for exactly 500.00
    assert {tuple(allocated(p)) for p in ranked} == {(11,), (12,)}
    assert all(p.ambiguous and p.score <= 60 for p in ranked)


def test_overpayment_is_left_as_credit():
    proposal = best(line("1300.00", "FV/2026/00123"))
    assert allocated(proposal) == {11: D("1230.00")} and proposal.overpayment == D("70.00")
    assert "overpayment:70.00" in proposal.reasons and automatic(proposal)


def test_overpayment_whose_rest_pays_another_open_item_of_the_customer():
    proposal = best(line("1480.50", "Zapłata FV/2026/00123"))  # 1230.00 + FV/2026/00125 (250.50)
    assert allocated(proposal) == {11: D("1230.00"), 13: D("250.50")} and proposal.overpayment == 0
    assert "rest:subset:1" in proposal.reasons and automatic(proposal)
    assert ("rest_subset", {"count": "1"}) in reason_codes(proposal.reasons)


def test_several_references_paid_together():
    proposal = best(line("1730.00", "Faktury FV/2026/00123, FV/2026/00124"))
    assert allocated(proposal) == {11: D("1230.00"), 12: D("500.00")} and proposal.score >= 95


def test_several_references_paid_short_go_by_due_date():
    items = [
        item(11, ZOLW, "FV/2026/00123", "1230.00", due=date(2026, 3, 1)),
        item(12, ZOLW, "FV/2026/00124", "500.00", due=date(2026, 2, 1)),
    ]
    proposal = best(line("800.00", "FV/2026/00123 FV/2026/00124"), items=items)
    assert allocated(proposal) == {12: D("500.00"), 11: D("300.00")} and "partial" in proposal.reasons
    assert [allocation.item_id for allocation in proposal.allocations] == [12, 11]


def test_numbers_listed_after_a_reference_stand_for_invoices_of_the_same_customer():
    proposal = best(line("1980.50", "Zapłata za faktury FV/2026/00123, 00124 i 125"))
    assert set(allocated(proposal)) == {11, 12, 13} and proposal.score >= 95


def test_an_amount_after_a_reference_is_not_an_abbreviated_invoice():
    proposal = best(line("1230.00", "FV/2026/00123, 124,00 zł, 2026-03-01"))
    assert allocated(proposal) == {11: D("1230.00")}


def test_camt_referred_documents_with_their_amounts():
    documents = (("FV/2026/00123", D("1000.00")), ("FV/2026/00124", D("500.00")))
    proposal = best(line("1500.00", "", referred_documents=documents))
    assert allocated(proposal) == {11: D("1000.00"), 12: D("500.00")}
    assert "strd:2" in proposal.reasons and "amount:declared" in proposal.reasons and automatic(proposal)


def test_camt_referred_documents_without_amounts_take_the_residuals():
    documents = (("FV/2026/00123", None), ("FV 2026 124", None), ("XX/1/2", D("5.00")))
    proposal = best(line("1730", "", referred_documents=documents))
    assert allocated(proposal) == {11: D("1230.00"), 12: D("500.00")} and "strd:2" in proposal.reasons


def test_invoice_number_as_structured_reference():
    proposal = best(line("1230.00", "", structured_reference="FV/2026/00123"))
    assert allocated(proposal) == {11: D("1230.00")} and proposal.score >= 95


def test_credit_note_quoted_with_the_invoice_is_netted():
    items = [*ITEMS, item(14, ZOLW, "KOR/2026/00007", "-230.00")]
    proposal = best(line("1000.00", "FV/2026/00123 minus KOR/2026/00007"), items=items)
    assert allocated(proposal) == {11: D("1230.00"), 14: D("-230.00")} and proposal.score >= 95


# ------------------------------------------------------------------------------ without a reference


def test_known_iban_and_one_open_item_of_that_amount():
    proposal = best(line("250.50", "Przelew", counterparty_iban=ZOLW_IBAN))
    assert allocated(proposal) == {13: D("250.50")}
    assert {"partner:iban", "subset:1"} <= set(proposal.reasons) and 85 <= proposal.score <= 92
    assert automatic(proposal)


def test_known_iban_and_an_exact_sum_of_several_items():
    proposal = best(line("1980.50", "Przelew", counterparty_iban=" pl27 1140 2004 0000 3002 0135 5387"))
    assert allocated(proposal) == {11: D("1230.00"), 12: D("500.00"), 13: D("250.50")}
    assert "subset:3" in proposal.reasons and 85 <= proposal.score <= 92


def test_two_open_items_with_the_same_amount_are_ambiguous():
    items = [*ITEMS, item(15, ZOLW, "FV/2026/00126", "250.50")]
    ranked = proposals(line("250.50", "Przelew", counterparty_iban=ZOLW_IBAN), items=items)
    assert len(ranked) == 2 and all(p.ambiguous and p.score <= 60 for p in ranked)
    assert {tuple(allocated(p)) for p in ranked} == {(13,), (15,)}


def test_two_different_exact_sums_are_ambiguous():
    items = [*ITEMS, item(15, ZOLW, "FV/2026/00126", "1480.50")]  # 1230 + 250.50 = 1480.50 as well
    ranked = proposals(line("1480.50", "Przelew", counterparty_iban=ZOLW_IBAN), items=items)
    assert ranked and all(p.ambiguous and p.score <= 60 for p in ranked)


def test_exact_sums_are_searched_among_the_oldest_items_only():
    bank_line = line("750.50", "Przelew", counterparty_iban=ZOLW_IBAN)  # 500.00 + 250.50, the two youngest
    assert set(allocated(best(bank_line))) == {12, 13}
    assert proposals(bank_line, settings=Settings(max_subset_items=2)) == []


@pytest.mark.parametrize("written", ["NIP 701-000-00-05", "nip: PL7010000005", "PL 701 000 00 05 przelew"])
def test_payer_identified_by_vat_number_in_the_title(written):
    proposal = best(line("250.50", written))
    assert "partner:vat" in proposal.reasons and allocated(proposal) == {13: D("250.50")}
    assert automatic(proposal)


def test_payer_identified_by_a_learned_pattern():
    proposal = best(line("250.50", "Opłata NR KLIENTA 00042 marzec"))
    assert "partner:pattern" in proposal.reasons and allocated(proposal) == {13: D("250.50")}


@pytest.mark.parametrize(
    "name",
    [
        "HURTOWNIA ZOLW SPOLKA Z OGRANICZONA ODPOWIEDZIALNOSCIA",
        "Hurtownia Zolw sp z o o ul. Długa 5 00-001 Warszawa",
        "hurtownia żółw",
    ],
)
def test_payer_identified_by_a_similar_name(name):
    proposal = best(line("250.50", "Przelew", counterparty_name=name))
    assert any(reason.startswith("partner:name:") for reason in proposal.reasons)
    assert allocated(proposal) == {13: D("250.50")} and 70 <= proposal.score <= 80


def test_a_name_not_similar_enough_identifies_no_one():
    ranked = proposals(line("250.50", "Przelew", counterparty_name="Hurtownia Żaba S.A."))
    assert all(not any(r.startswith("partner:") for r in p.reasons) and p.score < 50 for p in ranked)


def test_partner_set_on_the_line():
    proposal = best(line("250.50", "", partner_id=ZOLW))
    assert "partner:given" in proposal.reasons and automatic(proposal)


def test_payer_identification_order_line_then_iban_then_vat():
    kowalski_vat = "NIP 951-000-00-09"
    items = [*ITEMS, item(33, KOWALSKI, "FV/2026/00133", "250.50")]
    by_line = best(line("250.50", "Przelew", partner_id=KOWALSKI, counterparty_iban=ZOLW_IBAN), items=items)
    assert "partner:given" in by_line.reasons and allocated(by_line) == {33: D("250.50")}
    by_iban = best(line("250.50", kowalski_vat, counterparty_iban=ZOLW_IBAN), items=items)
    assert "partner:iban" in by_iban.reasons and allocated(by_iban) == {13: D("250.50")}
    by_vat = best(line("250.50", kowalski_vat, counterparty_name="Hurtownia Żółw"), items=items)
    assert "partner:vat" in by_vat.reasons and allocated(by_vat) == {33: D("250.50")}


def test_third_party_paying_with_a_reference():
    own = best(line("615.00", "FV/2026/00131", counterparty_iban=ZOLW_IBAN, partner_id=KOWALSKI))
    factor = best(line("615.00", "Faktoring FV/2026/00131", counterparty_iban=FACTOR_IBAN))
    assert allocated(factor) == {31: D("615.00")} and factor.partner_id == KOWALSKI
    assert "partner:third_party" in factor.reasons and 90 <= factor.score < own.score


# ------------------------------------------------------------------------------- what must not match


def test_amount_alone_of_an_unknown_payer_is_only_a_low_suggestion():
    proposal = best(
        line("250.50", "Przelew", counterparty_name="Jan Nowak", counterparty_iban=FACTOR_IBAN[:-1])
    )
    assert proposal.score < 50 and proposal.reasons == ["amount:only"]


def test_amount_equal_to_invoices_of_several_customers():
    items = [*ITEMS, item(41, KOWALSKI, "FV/2026/00141", "250.50")]
    ranked = proposals(line("250.50", "Przelew"), items=items)
    assert len(ranked) == 2 and all(p.score < 50 for p in ranked)


@pytest.mark.parametrize(
    ("remittance", "name"),
    [
        ("KAPITALIZACJA ODSETEK", "mBank S.A."),
        ("Zwrot nadpłaty za fakturę FS/123/03/2026", "ORANGE POLSKA S.A."),
        ("Przelew własny", "NASZA FIRMA SP. Z O.O."),
        ("zwrot za zakupy", "ALLEGRO SP. Z O.O."),
        ("Zapłata za fakturę FV/2025/00123", "Jan Nowak"),
        ("Zapłata za fakturę FV/2026/99999", "Jan Nowak"),
    ],
)
def test_unrelated_credits_get_no_confident_proposal(remittance, name):
    ranked = proposals(
        line("321.45", remittance, counterparty_name=name, counterparty_iban="PL611090101400000712")
    )
    assert all(p.score < 50 for p in ranked)


def test_negative_and_zero_lines_get_no_proposal():
    assert proposals(line("-1230.00", "FV/2026/00123")) == []
    assert proposals(line("0.00", "FV/2026/00123")) == []


def test_refund_of_a_credit_note_by_reference():
    items = [*ITEMS, item(14, ZOLW, "KOR/2026/00007", "-230.00")]
    proposal = best(line("-230.00", "Zwrot KOR/2026/00007"), items=items)
    assert allocated(proposal) == {14: D("-230.00")} and proposal.score >= 95


# ------------------------------------------------------------------------------------ currencies


def test_other_currency_without_a_rate_is_matched_by_reference_only():
    proposal = best(line("3400.00", "Invoice INV/2026/00012"))  # PLN paying a EUR invoice
    assert allocated(proposal) == {21: D("3400.00")}  # in the line's currency: Odoo converts
    assert "amount:unchecked" in proposal.reasons and not automatic(proposal)
    assert proposals(line("800.00", "Payment", counterparty_iban=ATLAS_IBAN)) == []


def test_other_currency_with_a_rate_compares_converted_amounts():
    rates = {("EUR", "PLN"): D("4.30")}  # 800 EUR = 3440 PLN; 3400 is within 2 %
    proposal = best(line("3400.00", "Invoice INV/2026/00012"), rates=rates)
    assert allocated(proposal) == {21: D("3400.00")} and "amount:converted" in proposal.reasons
    assert automatic(proposal)
    partial = best(line("2000.00", "Invoice INV/2026/00012"), rates=rates)
    assert "partial" in partial.reasons and allocated(partial) == {21: D("2000.00")}


def test_inverse_rate_is_used_too():
    rates = {("PLN", "EUR"): D("0.25")}  # 800 EUR = 3200 PLN
    proposal = best(line("3210.00", "INV/2026/00012"), rates=rates)
    assert allocated(proposal) == {21: D("3210.00")} and "amount:converted" in proposal.reasons


# ------------------------------------------------------------------------------------------- output


def test_every_line_gets_a_list_best_first_up_to_the_limit():
    items = [*ITEMS, item(15, ZOLW, "FV/2026/00126", "250.50"), item(16, ZOLW, "FV/2026/00127", "250.50")]
    lines = [line("250.50", "Przelew", counterparty_iban=ZOLW_IBAN), line("9.99", "nothing", line_id=2)]
    result = match_lines(lines, items, CUSTOMERS, limit=2)
    assert set(result) == {1, 2} and result[2] == [] and len(result[1]) == 2
    assert result[1][0].score >= result[1][1].score


def test_reason_codes_name_the_evidence_with_its_values():
    proposal = best(line("1230.00", "Zapłata FV/2026/00123", counterparty_iban=ZOLW_IBAN))
    assert reason_codes(proposal.reasons) == [
        ("ref_exact", {"number": "FV/2026/00123"}),
        ("partner_iban", {}),
        ("amount_equal", {}),
    ]
    fee = best(line("1227.50", "FV 2026 123"))
    assert ("amount_writeoff", {"amount": "2.50"}) in reason_codes(fee.reasons)


def test_every_reason_token_has_a_known_code():
    tokens = {
        "ref:exact:FV/1": ("ref_exact", {"number": "FV/1"}),
        "ref:short:42/2026": ("ref_short", {"number": "42/2026"}),
        "ref:doubtful": ("ref_doubtful", {}),
        "partner:name:0.93": ("partner_name", {"similarity": "0.93"}),
        "partner:third_party": ("partner_third_party", {}),
        "amount:only": ("amount_only", {}),
        "subset:1": ("subset_one", {}),
        "subset:3": ("subset_many", {"count": "3"}),
        "rest:subset:2": ("rest_subset", {"count": "2"}),
        "rf:RF18539007547034": ("rf", {"reference": "RF18539007547034"}),
        "mpp:inv": ("mpp", {}),
        "strd:2": ("strd", {"count": "2"}),
        "overpayment:70.00": ("overpayment", {"amount": "70.00"}),
        "partial": ("partial", {}),
        "partial_open:230.00": ("partial_open", {"amount": "230.00"}),
        "ambiguous": ("ambiguous", {}),
        "something:new": ("unknown", {"token": "something:new"}),
    }
    assert {token: reason_code(token) for token in tokens} == tokens
    assert {reason_code(token)[0] for token in tokens} <= set(REASON_CODES)


def test_matching_5000_lines_against_20000_items_is_fast():
    customers = [Customer(k, f"Klient {k} Sp. z o.o.", ibans=(f"PL{k:026d}",)) for k in range(1, 2001)]
    items = [
        item(k, k % 2000 + 1, f"FV/2026/{k:05d}", f"{100 + k % 997}.{k % 100:02d}") for k in range(1, 20_001)
    ]
    lines = []
    for k in range(1, 5001):
        paid = items[(k * 7) % 20_000]
        title = ("Zapłata za fakturę {}", "FV {} dziękujemy", "Przelew", "FV/2026/{}9")[k % 4]
        lines.append(
            line(
                paid.residual,
                title.format(paid.number),
                line_id=k,
                counterparty_iban=f"PL{paid.partner_id:026d}",
            )
        )
    start = time.perf_counter()
    result = match_lines(lines, items, customers)
    assert time.perf_counter() - start < 5.0
    assert len(result) == 5000
    quoted = [k for k in range(1, 5001) if k % 4 in (0, 1)]  # the lines quoting their invoice as is
    assert all(result[k][0].score >= 95 for k in quoted)


# ------------------------------------------------------------------------------ KSeF numbers (issue 15)

KSEF_123 = "5260250274-20260210-0100001AF629-" + crc8("5260250274-20260210-0100001AF629")
KSEF_124 = "5260250274-20260211-00A1B2C3D4E5-" + crc8("5260250274-20260211-00A1B2C3D4E5")


def test_ksef_number_parser_validates_the_crc8_checksum():
    # The Ministry's documented example: CRC-8 (polynomial 0x07, initial 0) of the first 32 characters.
    assert crc8("5265877635-20250826-0100001AF629") == "AF"
    assert is_valid_ksef("5265877635-20250826-0100001AF629-AF")
    assert is_valid_ksef("5265877635202508260100001af629af")
    assert not is_valid_ksef("5265877635-20250826-0100001AF629-AE")  # checksum
    assert not is_valid_ksef("5265877635-20251326-0100001AF629-" + crc8("5265877635-20251326-0100001AF629"))
    assert normalize_ksef(" 5265877635202508260100001af629af ") == "5265877635-20250826-0100001AF629-AF"


def test_ksef_numbers_found_in_titles_with_or_without_dashes_in_any_case():
    undashed = KSEF_124.replace("-", "").lower()
    text = f"Zapłata KSeF {KSEF_123}, {undashed}; {KSEF_123[:-1]}0 x5265877635-20250826-0100001AF629-AFx"
    assert find_ksef(text) == [KSEF_123, KSEF_124]
    assert find_ksef(KSEF_123 + " " + KSEF_123) == [KSEF_123]
    assert find_ksef("") == []


def ksef_items():
    return [
        OpenItem(**{**vars_of(ITEMS[0]), "ksef_number": KSEF_123}),
        OpenItem(**{**vars_of(ITEMS[1]), "ksef_number": KSEF_124}),
        *ITEMS[2:],
    ]


def vars_of(open_item):
    return {name: getattr(open_item, name) for name in open_item.__slots__}


def test_ksef_number_alone_pays_its_invoice():
    proposal = best(line("1230.00", f"KSeF {KSEF_123.replace('-', '')}"), items=ksef_items())
    assert allocated(proposal) == {11: D("1230.00")}
    assert f"ksef:{KSEF_123}" in proposal.reasons and proposal.score >= 95
    assert ("ksef", {"number": KSEF_123}) in reason_codes(proposal.reasons)


def test_several_ksef_numbers_inside_a_split_payment():
    title = f"/VAT/321,30/IDC/{OUR_NIP}/INV/{KSEF_123} {KSEF_124.lower()}/TXT/zaplata"
    proposal = best(line("1730.00", title), items=ksef_items())
    assert allocated(proposal) == {11: D("1230.00"), 12: D("500.00")}
    assert not proposal.ambiguous and proposal.score >= 90


def test_a_ksef_number_with_a_wrong_checksum_is_not_read():
    wrong = KSEF_123[:-2] + ("00" if KSEF_123[-2:] != "00" else "01")
    ranked = proposals(line("1230.00", f"KSeF {wrong}"), items=ksef_items())
    assert not ranked or ranked[0].score < 90


# ------------------------------------------------------------------ references as customers write them


@pytest.mark.parametrize(
    "title",
    [
        "Zapłata za FV 123/2026",
        "fakt. nr 123/26",
        "f-ra 123/2026",
        "FV 2026/123",
        "przelew 2026/123",
        "faktura nr 123/2026 dziękujemy",
    ],
)
def test_short_and_reordered_invoice_numbers(title):
    proposal = best(line("1230.00", title))
    assert allocated(proposal) == {11: D("1230.00")}
    assert proposal.score >= 90 and not proposal.ambiguous, proposal.reasons


def test_several_short_numbers_in_one_title():
    proposal = best(line("1730.00", "Zapłata za FV 123/2026, 124/2026"))
    assert allocated(proposal) == {11: D("1230.00"), 12: D("500.00")}
    assert proposal.score >= 90


def test_a_bare_short_number_that_could_be_a_month_is_not_read():
    items = [*ITEMS, item(14, ZOLW, "FV/2026/00003", "77.00")]
    ranked = proposals(line("77.00", "Czynsz za 3/2026"), items=items)
    assert not ranked or ranked[0].score < 90


def test_a_short_number_after_another_prefix_is_not_this_invoice():
    # "INV 123/2026" is not FV/2026/00123: no prefixed key, and a bare reading is refused after a prefix.
    ranked = proposals(line("1230.00", "KOR/2026/123 zwrot"))
    assert not any("ref:short" in reason for proposal in ranked for reason in proposal.reasons)


def test_an_unconfirmed_short_number_needs_the_amount():
    ranked = proposals(line("700.00", "przelew 2026/123"))
    assert not ranked or ranked[0].score < 90


# ------------------------------------------------------------------------- partial-payment policy


def test_partial_payment_quoting_one_invoice_exactly_is_applied_rest_left_open():
    proposal = best(line("1000.00", "Częściowa wpłata FV/2026/00123", counterparty_iban=ZOLW_IBAN))
    assert allocated(proposal) == {11: D("1000.00")}
    assert proposal.score >= 90 and not proposal.ambiguous
    assert "partial_open:230.00" in proposal.reasons
    assert ("partial_open", {"amount": "230.00"}) in reason_codes(proposal.reasons)


def test_partial_payment_policy_switched_off_only_suggests():
    settings = Settings(partial_when_exact=False)
    proposal = best(line("1000.00", "Częściowa wpłata FV/2026/00123"), settings=settings)
    assert proposal.score < 90 and "partial" in proposal.reasons


def test_partial_payment_by_a_third_party_or_with_a_typo_is_not_applied():
    third = best(line("1000.00", "Częściowa wpłata FV/2026/00131", counterparty_iban=ZOLW_IBAN))
    assert third.score < 90
    typo = proposals(line("1000.00", "Częściowa wpłata FV/2026/01233"))
    assert not typo or typo[0].score < 90


def test_bank_fee_within_the_default_tolerance_is_written_off():
    proposal = best(line("1218.00", "FV/2026/00123"))  # 12.00 short: within 15.00 and 2 %
    assert proposal.writeoff == D("12.00") and proposal.score >= 90


# --------------------------------------------------------------------------- duplicate customers


def test_duplicate_customer_records_sharing_an_iban_are_one_payer():
    twin = Customer(9, "Hurtownia Żółw Sp. z o.o. (oddział)", "7010000005", (ZOLW_IBAN,))
    items = [*ITEMS, item(91, 9, "FV/2026/00191", "410.00")]
    by_iban = best(line("410.00", "", counterparty_iban=ZOLW_IBAN), items=items, customers=[*CUSTOMERS, twin])
    assert allocated(by_iban) == {91: D("410.00")} and by_iban.score >= 90
    assert "partner:iban" in by_iban.reasons
    quoted = best(
        line("1640.00", "FV/2026/00123 FV/2026/00191", counterparty_iban=ZOLW_IBAN),
        items=items,
        customers=[*CUSTOMERS, twin],
    )
    assert set(allocated(quoted)) == {11, 91} or allocated(quoted) == {11: D("1230.00")}


def test_an_iban_of_two_different_customers_identifies_nobody():
    other = Customer(9, "Inna Firma Sp. z o.o.", "9510000009", (ZOLW_IBAN,))
    ranked = proposals(line("410.00", "", counterparty_iban=ZOLW_IBAN), customers=[*CUSTOMERS, other])
    assert not ranked or ranked[0].score < 90


# --------------------------------------------------------------------------------- typos resolved


def test_a_typo_hitting_another_customers_invoice_is_resolved_by_amount_and_payer():
    # FV/2026/00132 (Kowalski, 99.99) is quoted, but Żółw pays 1230.00 from its account: FV/2026/00123.
    title = "Zapłata FV/2026/00132"
    proposal = best(line("1230.00", title, counterparty_iban=ZOLW_IBAN))
    assert allocated(proposal) == {11: D("1230.00")}
    assert proposal.score >= 90 and not proposal.ambiguous, proposal.reasons
    by_name = best(line("1230.00", title, counterparty_name="HURTOWNIA ZOLW SP. Z O.O."))
    assert allocated(by_name) == {11: D("1230.00")} and by_name.score >= 90, by_name.reasons


def test_a_typo_is_not_guessed_when_the_literal_reading_is_plausible_too():
    # Kowalski itself pays: partial payment of its own invoice, or Żółw's invoice one typo away? Both.
    ranked = proposals(line("1230.00", "Zapłata FV/2026/00132", counterparty_name="PHU Kowalski Jan"))
    assert not ranked or ranked[0].score < 90 or allocated(ranked[0]) == {32: D("99.99")}


@pytest.mark.parametrize(
    "title",
    [
        # The payment identifier of FA(3) (IPKSeF: 3 digits and 10 letters or digits) and identifiers shaped
        # like a collective one: KSeF API 2.0 resolves none of them, so none may name an invoice.
        "IPKSeF 123AbCdEfGhIj",
        "Identyfikator zbiorczy 20260801-ZB-3F2A1C9E7B-5D",
        "KSeF zbiorczy 5260250274-20260210-ZB0001AF629",
        f"Zbiorczo {KSEF_123[:-3]}",
    ],
)
def test_a_collective_identifier_pays_nothing_by_itself(title):
    ranked = proposals(line("1730.00", title), items=ksef_items())
    assert not any("ksef" in code for proposal in ranked for code, _values in reason_codes(proposal.reasons))
    assert not ranked or ranked[0].score < 90, "left for the collector, never reconciled on such a title"
