from odoo import models
from odoo.tools import SQL


class ArWorklistItem(models.Model):
    _inherit = "ar.worklist.item"

    def _not_to_escalate(self, company, today):
        """Also the invoices of an approved payment plan and the debts already handed over to collections
        (or of customers who receive no reminders)."""
        move_ids = super()._not_to_escalate(company, today)
        self.env["ar.payment.plan"].flush_model(["state"])
        self.env["res.partner"].flush_model(["ar_escalated_date"])
        rows = self.env.execute_query(
            SQL(
                """
            SELECT move.id
              FROM account_move move
              JOIN res_partner customer ON customer.id = move.commercial_partner_id
             WHERE move.company_id = %(company)s AND %(open)s
               AND (customer.ar_escalated_date IS NOT NULL
                    OR EXISTS (SELECT 1 FROM ar_payment_plan_invoice_rel rel
                                 JOIN ar_payment_plan plan ON plan.id = rel.plan_id
                                WHERE rel.move_id = move.id AND plan.state = 'approved'))
            """,
                company=company.id,
                open=self.env["account.move"]._ar_open_receivable_sql("move"),
            )
        )
        return move_ids + [row[0] for row in rows]
