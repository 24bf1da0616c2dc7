"""The fence around the bulk statement lines (``models/account_bank_statement_line_bulk.py``).

The bulk path copies whole ``account_move``, ``account_move_line`` and ``account_bank_statement_line``
rows in SQL. A column that Odoo (or one of the installed modules) adds to those tables is copied from the
template line as it is, which may be wrong (a hash, a number, a per-entry link): the guard below fails
until someone has checked the new column and listed it here. And the cash-application tests run a second
time with the system parameter ``ar_bank_psd2.bulk_statement_lines`` at ``0``, when every statement line
goes through Odoo's ``create``.
"""

from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.ar_automation.tests.common import ArTestCommon

from ..models.account_bank_statement_line_bulk import BULK_PARAMETER
from . import test_bulk_lines, test_cash_application

# Every column of the copied tables in Odoo 19.0 with the suite installed, reviewed: either the copy gives
# it its own value (_ar_copy_line's overrides: ids, names, numbers, dates, amounts, links, texts of the
# import) or the template's value is right for every line of one journal and sequence period.
REVIEWED_COLUMNS = {
    "account_move": """
        access_token always_tax_exigible amount_residual amount_residual_signed amount_tax amount_tax_signed
        amount_total amount_total_in_currency_signed amount_total_signed amount_untaxed
        amount_untaxed_in_currency_signed amount_untaxed_signed ar_autopay_attempts ar_autopay_next_try
        ar_autopay_noticed ar_check_blocked_once ar_check_message ar_check_state ar_dispute_id
        ar_dunning_hold_until ar_dunning_last_date ar_dunning_level_id ar_dunning_paused ar_promise_date
        ar_ksef_attempts ar_ksef_error ar_ksef_next_try ar_ksef_state ar_ksef_verification_url
        ar_ksef_certificate_url ar_ksef_offline ar_ksef_offline_deadline
        l10n_pl_edi_header l10n_pl_edi_number l10n_pl_edi_ref l10n_pl_edi_session_id l10n_pl_edi_status
        l10n_pl_vat_b_mpv_prowizja l10n_pl_vat_b_spv l10n_pl_vat_b_spv_dostawa
        auto_post auto_post_origin_id auto_post_until campaign_id checked commercial_partner_id company_id
        create_date create_uid currency_id date delivery_date fiscal_position_id id inalterable_hash
        incoterm_location invoice_cash_rounding_id invoice_currency_rate invoice_date invoice_date_due
        invoice_incoterm_id invoice_origin invoice_partner_display_name invoice_payment_term_id
        invoice_source_email invoice_user_id is_manually_modified is_move_sent journal_id made_sequence_gap
        medium_id message_main_attachment_id move_type name narration origin_payment_id partner_bank_id
        partner_id partner_shipping_id payment_reference payment_state posted_before
        preferred_payment_method_line_id qr_code_method quick_edit_total_amount ref reversed_entry_id
        secure_sequence_number sending_data sequence_number sequence_prefix source_id state
        statement_line_id tax_cash_basis_origin_move_id tax_cash_basis_rec_id taxable_supply_date team_id
        write_date write_uid
    """,
    "account_bank_statement_line": """
        account_number amount amount_currency amount_residual ar_end_to_end_id ar_fingerprint ar_import_id
        ar_match_explanation ar_match_reasons ar_match_rule_id ar_match_score ar_match_state ar_matched_date
        ar_matched_uid ar_source ar_structured_ref ar_writeoff_amount company_id create_date create_uid
        currency_id foreign_currency_id id internal_index is_reconciled journal_id move_id partner_id
        partner_name payment_ref sequence statement_id transaction_details transaction_type write_date
        write_uid
    """,
    "account_move_line": """
        account_id amount_currency amount_residual amount_residual_currency analytic_distribution balance
        collapse_composition collapse_prices company_currency_id company_id create_date create_uid credit
        currency_id date date_maturity debit deductible_amount discount discount_amount_currency
        discount_balance discount_date display_type extra_tax_data full_reconcile_id group_tax_id id
        invoice_date is_downpayment is_imported is_storno journal_id matching_number move_id move_name name
        no_followup parent_state partner_id payment_id price_subtotal price_total price_unit product_id
        product_uom_id quantity reconcile_model_id reconciled ref sequence statement_id statement_line_id
        tax_base_amount tax_group_id tax_line_id tax_repartition_line_id write_date write_uid
    """,
}


@tagged("post_install", "-at_install")
class TestBulkLinesFence(ArTestCommon):
    def test_the_copied_tables_have_no_column_the_copy_was_not_reviewed_for(self):
        for table, reviewed in REVIEWED_COLUMNS.items():
            rows = self.env.execute_query(
                SQL(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = %s AND table_schema = current_schema()",
                    table,
                )
            )
            unknown = {row[0] for row in rows} - set(reviewed.split())
            with self.subTest(table=table):
                self.assertFalse(
                    unknown,
                    f"{table} has columns that account_bank_statement_line_bulk.py copies from the template "
                    f"line without review: {sorted(unknown)}. Check that the template's value is right for "
                    "every copy (or give each copy its own in _ar_copy_line), then add them to "
                    "REVIEWED_COLUMNS; or set the system parameter ar_bank_psd2.bulk_statement_lines to 0.",
                )

    def test_with_the_parameter_at_0_odoo_creates_every_line(self):
        self.env["ir.config_parameter"].set_param(BULK_PARAMETER, "0")
        journal = self.company_data["default_journal_bank"]
        values = [
            {"journal_id": journal.id, "date": "2026-11-20", "amount": 10.0 + n, "payment_ref": f"P{n}"}
            for n in range(30)
        ]
        Line = self.env["account.bank.statement.line"]
        with patch.object(type(Line), "_ar_copy_line", side_effect=AssertionError("SQL copy made")):
            lines = Line._ar_bulk_create(values)
        self.assertEqual(len(lines), 30)
        self.assertEqual(len(set(lines.move_id.mapped("name"))), 30)


class _OrmStatementLines:
    """Runs the inherited tests with the bulk path switched off."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param(BULK_PARAMETER, "0")


@tagged("post_install", "-at_install")
class TestCashApplicationOrmLines(_OrmStatementLines, test_cash_application.TestCashApplication):
    pass


@tagged("post_install", "-at_install")
class TestBulkStatementLinesOrmLines(_OrmStatementLines, test_bulk_lines.TestBulkStatementLines):
    pass
