from odoo import Command
from odoo.tests import tagged

from .common import ArInvoicingCommon


@tagged("post_install", "-at_install")
class TestInvoiceAutomation(ArInvoicingCommon):
    def test_confirmed_order_is_invoiced_posted_and_queued_for_email(self):
        order = self._order()
        order.action_confirm()
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.amount_total, 300)
        self.assertEqual(invoice.ar_check_state, "ok")
        self.assertEqual(invoice.sending_data["sending_methods"], ["email"])
        self.assertEqual(order.invoice_status, "invoiced")
        notes = invoice.message_ids.mapped("body")
        self.assertTrue(any(order.name in body and "Generated from" in body for body in notes))
        self.assertTrue(any("queued for e-mail to ap@kowalski.example.com" in body for body in notes))

        with self.enter_registry_test_mode():
            self.env.ref("account.ir_cron_account_move_send").method_direct_trigger()
        self.assertFalse(invoice.sending_data)
        self.assertTrue(invoice.is_move_sent)
        mail = self.env["mail.mail"].search([("model", "=", "account.move"), ("res_id", "=", invoice.id)])
        self.assertEqual(len(mail), 1)
        self.assertIn(self.customer, mail.recipient_ids)
        self.assertTrue(mail.attachment_ids, "the invoice PDF is attached")
        self.assertIn("access_token=", mail.body_html, "the mail links to the portal, where it can be paid")

    def test_invalid_nip_blocks_until_fixed(self):
        self.customer.with_context(no_vat_validation=True).vat = "PL5795955812"
        order = self._order()
        order.action_confirm()
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(invoice.ar_check_state, "blocked")
        self.assertIn("PL5795955812", invoice.ar_check_message)
        self.assertIn(invoice, self._to_fix())
        problems = invoice.ar_check()
        self.assertEqual(len(problems), 1)
        self.assertIn("Kowalski Sp. z o.o.: VAT number PL5795955812 (field VAT) is not valid", problems[0])
        activity = invoice.activity_ids
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertIn("PL5795955812", activity.note)
        self.assertFalse(invoice.sending_data)

        self.customer.vat = "PL5795955811"
        self.assertEqual(invoice.ar_check(), [])
        invoice.action_ar_check_and_send()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.ar_check_state, "ok")
        self.assertFalse(invoice.activity_ids)
        self.assertNotIn(invoice, self._to_fix())

    def test_every_problem_is_listed_with_its_field(self):
        self.customer.write({"email": False, "street": False, "property_payment_term_id": False})
        order = self._order()
        order.action_confirm()
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "draft")
        problems = invoice.ar_check()
        self.assertEqual(len(problems), 3, problems)
        self.assertIn("missing street", problems[0])
        self.assertIn("(field Email)", problems[1])
        self.assertIn("(field Payment Terms)", problems[2])

    def test_warning_checks_do_not_block(self):
        self.env.ref("ar_automation.ar_invoice_check_email").blocking = False
        self.customer.email = False
        order = self._order()
        order.action_confirm()
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.ar_check_state, "warning")
        self.assertIn("(field Email)", invoice.ar_check_message)
        self.assertEqual(invoice.ar_check(), [])

    def test_disabled_check_is_skipped(self):
        self.env.ref("ar_automation.ar_invoice_check_vat").active = False
        self.customer.with_context(no_vat_validation=True).vat = "PL5795955812"
        self.company.ar_invoice_policy = "manual"
        order = self._order()
        order.action_confirm()
        self.assertEqual(order._create_invoices().ar_check(), [])

    def test_invalid_company_iban_blocks(self):
        self.company_data["default_journal_bank"].bank_account_id.with_context(
            no_iban_validation=True
        ).acc_number = "PL47109024022846836723239797"
        order = self._order()
        order.action_confirm()
        self.assertEqual(order.invoice_ids.state, "draft")
        self.assertIn("no valid IBAN", order.invoice_ids.ar_check()[0])

    def test_customer_on_manual_invoicing_is_left_alone(self):
        self.customer.ar_invoice_policy = "manual"
        order = self._order()
        order.action_confirm()
        self.assertFalse(order.invoice_ids)
        self.assertEqual(order.invoice_status, "to invoice")

    def test_company_on_manual_invoicing_unless_the_customer_opts_in(self):
        self.company.ar_invoice_policy = "manual"
        order = self._order()
        order.action_confirm()
        self.assertFalse(order.invoice_ids)
        self.customer.ar_invoice_policy = "on_confirm"
        second = self._order()
        second.action_confirm()
        self.assertEqual(second.invoice_ids.state, "posted")

    def test_price_changed_on_the_invoice_is_caught(self):
        self.company.ar_invoice_policy = "manual"
        order = self._order()
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.invoice_line_ids.price_unit = 90
        self.assertIn("differ from the sale order", invoice.ar_check()[0])

    def test_duplicate_invoice_for_the_same_order_line(self):
        order = self._order()
        order.action_confirm()
        first = order.invoice_ids
        sale_line = order.order_line
        duplicate = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.product_a.id,
                            "quantity": 3,
                            "price_unit": 100,
                            "tax_ids": [Command.clear()],
                            "sale_line_ids": [Command.set(sale_line.ids)],
                        }
                    )
                ],
            }
        )
        self.assertIn("duplicate invoicing", duplicate.ar_check()[0])
        self.assertEqual(first.ar_check(), [])

    def test_nothing_to_invoice_is_not_an_error(self):
        self.product_a.type = "consu"
        self.product_a.invoice_policy = "delivery"
        order = self._order()
        order.action_confirm()
        self.assertFalse(order.invoice_ids)
