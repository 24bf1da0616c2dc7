from odoo import fields, models

# A reminder "worked" for an invoice paid within this many days of it.
PAID_WITHIN_DAYS = 14


class ArDunningVariantReport(models.Model):
    """How the customers paid after each variant: reminders, invoices listed, share paid within 14 days of
    the reminder and mean days from reminder to payment."""

    _name = "ar.dunning.variant.report"
    _description = "Reminder Variant Results"
    _auto = False
    _order = "level_id, variant_id"

    variant_id = fields.Many2one("ar.dunning.variant", readonly=True)
    level_id = fields.Many2one("ar.dunning.level", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    reminder_count = fields.Integer(string="Reminders", readonly=True)
    invoice_count = fields.Integer(string="Invoices", readonly=True)
    paid_within_count = fields.Integer(string="Paid Within 14 Days", readonly=True)
    paid_within_rate = fields.Float(
        string="Paid Within 14 Days (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    mean_days_to_pay = fields.Float(
        string="Mean Days to Pay", readonly=True, aggregator="avg", digits=(16, 1)
    )

    @property
    def _table_query(self):
        return f"""
                WITH paid AS (
                    SELECT line.move_id, MAX(partial.max_date) AS day
                      FROM account_move_line line
                      JOIN account_move move ON move.id = line.move_id
                                            AND move.payment_state IN ('paid', 'in_payment', 'reversed')
                      JOIN account_partial_reconcile partial ON partial.debit_move_id = line.id
                     WHERE line.display_type = 'payment_term'
                     GROUP BY line.move_id
                ), listed AS (
                    SELECT reminder.id AS line_id, reminder.variant_id, reminder.level_id,
                           reminder.company_id, reminder.date, rel.move_id,
                           paid.day - reminder.date AS days_to_pay
                      FROM ar_dunning_line reminder
                      JOIN ar_dunning_line_invoice_rel rel ON rel.line_id = reminder.id
                      LEFT JOIN paid ON paid.move_id = rel.move_id
                     WHERE reminder.variant_id IS NOT NULL AND reminder.state = 'sent'
                )
                SELECT variant_id AS id, variant_id, level_id, company_id,
                       COUNT(DISTINCT line_id) AS reminder_count,
                       COUNT(*) AS invoice_count,
                       COUNT(*) FILTER (WHERE days_to_pay <= {PAID_WITHIN_DAYS}) AS paid_within_count,
                       100.0 * COUNT(*) FILTER (WHERE days_to_pay <= {PAID_WITHIN_DAYS}) / COUNT(*)
                           AS paid_within_rate,
                       AVG(GREATEST(days_to_pay, 0)) AS mean_days_to_pay
                  FROM listed
                 GROUP BY variant_id, level_id, company_id
        """
