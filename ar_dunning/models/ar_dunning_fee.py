from decimal import Decimal

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine.fees import compensation_eur, conversion_day, interest


class ArDunningFee(models.Model):
    """Late-payment interest and recovery compensation of one invoice, as a reminder claims them."""

    _name = "ar.dunning.fee"
    _description = "Late Payment Fee"
    _order = "line_id, move_id"

    line_id = fields.Many2one("ar.dunning.line", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="line_id.company_id", store=True)
    currency_id = fields.Many2one(related="line_id.currency_id")
    partner_id = fields.Many2one(related="line_id.partner_id", store=True)
    move_id = fields.Many2one("account.move", string="Invoice", required=True, index=True, ondelete="cascade")
    days_late = fields.Integer()
    amount_overdue = fields.Monetary()
    interest = fields.Monetary()
    compensation = fields.Monetary(
        help="Claimed once per invoice: zero when an earlier fee invoice charged it."
    )
    total = fields.Monetary(compute="_compute_total", store=True)
    invoice_id = fields.Many2one("account.move", string="Fee Invoice", readonly=True, copy=False)

    @api.depends("interest", "compensation")
    def _compute_total(self):
        for fee in self:
            fee.total = fee.interest + fee.compensation


class ArDunningLine(models.Model):
    _inherit = "ar.dunning.line"

    fee_ids = fields.One2many("ar.dunning.fee", "line_id", string="Late Fees", readonly=True)
    fee_total = fields.Monetary(compute="_compute_fee_total", string="Fees Claimed")

    def _compute_fee_total(self):
        for line in self:
            line.fee_total = sum(line.fee_ids.mapped("total"))

    def _compute_fees(self):
        """Interest and compensation for the invoices of the reminders whose level adds fees."""
        values = []
        rates = {}
        charged = set(
            self.env["ar.dunning.fee"]
            .search(
                [
                    ("move_id", "in", self.invoice_ids.ids),
                    ("invoice_id", "!=", False),
                    ("compensation", ">", 0),
                ]
            )
            .move_id.ids
        )
        eur = self.env.ref("base.EUR")
        for line in self.filtered("level_id.adds_fees"):
            company = line.company_id
            country = company.country_id or self.env.ref("base.pl")
            if country not in rates:
                rates[country] = self.env["ar.interest.rate"]._rate_table(country)
            for invoice in line.invoice_ids:
                residual = Decimal(str(invoice.amount_residual_signed))
                if residual <= 0 or invoice.invoice_date_due >= line.date:
                    continue
                try:
                    accrued = interest(residual, invoice.invoice_date_due, line.date, rates[country])
                except ValueError as error:
                    raise UserError(
                        self.env._(
                            "Interest of %(invoice)s: %(error)s (Statutory Interest Rates).",
                            invoice=invoice.name,
                            error=error,
                        )
                    ) from error
                compensation = 0.0
                if invoice.id not in charged:
                    total = Decimal(str(invoice.amount_total_signed))
                    in_pln = eur._convert(
                        1.0, company.currency_id, company, conversion_day(invoice.invoice_date_due)
                    )
                    compensation = company.currency_id.round(float(compensation_eur(total)) * in_pln)
                values.append(
                    {
                        "line_id": line.id,
                        "move_id": invoice.id,
                        "days_late": (line.date - invoice.invoice_date_due).days,
                        "amount_overdue": float(residual),
                        "interest": float(accrued),
                        "compensation": compensation,
                    }
                )
        return self.env["ar.dunning.fee"].create(values)

    def action_invoice_fees(self):
        """A draft invoice to the customer charging the fees of these reminders not invoiced yet."""
        invoices = self.env["account.move"]
        for partner_lines in self.grouped("partner_id").values():
            fees = partner_lines.fee_ids.filtered(lambda f: not f.invoice_id and f.total > 0)
            if not fees:
                continue
            interest_product = self.env.ref("ar_dunning.product_late_interest")
            compensation_product = self.env.ref("ar_dunning.product_recovery_compensation")
            lines = []
            for fee in fees:
                if fee.interest:
                    lines.append(
                        (
                            0,
                            0,
                            {
                                "product_id": interest_product.id,
                                "name": self.env._(
                                    "Interest on %(invoice)s, %(days)s days late",
                                    invoice=fee.move_id.name,
                                    days=fee.days_late,
                                ),
                                "quantity": 1,
                                "price_unit": fee.interest,
                                "tax_ids": [(6, 0, [])],
                            },
                        )
                    )
                if fee.compensation:
                    lines.append(
                        (
                            0,
                            0,
                            {
                                "product_id": compensation_product.id,
                                "name": self.env._("Compensation for recovery costs, %s", fee.move_id.name),
                                "quantity": 1,
                                "price_unit": fee.compensation,
                                "tax_ids": [(6, 0, [])],
                            },
                        )
                    )
            invoice = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner_lines.partner_id.id,
                    "company_id": partner_lines.company_id.id,
                    "invoice_origin": ", ".join(fees.move_id.mapped("name")),
                    "invoice_line_ids": lines,
                }
            )
            fees.invoice_id = invoice
            invoice.message_post(
                body=Markup("<p>%s</p>") % self.env._("Late fees claimed by payment reminders."),
                subtype_xmlid="mail.mt_note",
            )
            invoices |= invoice
        if not invoices:
            raise UserError(self.env._("These reminders claim no fee that is not invoiced yet."))
        return invoices._get_records_action(name=self.env._("Fee Invoices"))
