from odoo import api, fields, models
from odoo.tools import SQL, format_date

from ..engine.aging import bucket_keys, bucket_label, parse_edges


class ArAgingLine(models.Model):
    """An open receivable item as of a date, in its aging bucket: the rows of the aging report, written for
    the user who asked for it (one SQL insert) and replaced at the next request."""

    _name = "ar.aging.line"
    _description = "Aging Report Line"
    _order = "partner_id, date_due, id"
    _rec_name = "move_id"

    as_of = fields.Date(string="As Of", readonly=True)
    user_id = fields.Many2one("res.users", readonly=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True, index=True)
    salesperson_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    move_id = fields.Many2one("account.move", string="Document", readonly=True)
    move_type = fields.Selection(related="move_id.move_type")
    currency_id = fields.Many2one("res.currency", readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    bucket = fields.Selection(
        selection="_selection_bucket",
        readonly=True,
        group_expand=True,  # kanban/list groups: every bucket, empty ones too
    )
    residual = fields.Monetary(string="Open Amount", currency_field="company_currency_id", readonly=True)
    residual_currency = fields.Monetary(
        string="Open in Currency", currency_field="currency_id", readonly=True
    )

    @api.model
    def _selection_bucket(self):
        return [(key, bucket_label(key)) for key in bucket_keys(parse_edges(self.env.company.ar_aging_edges))]

    def action_open_document(self):
        self.ensure_one()
        return self.move_id._get_records_action()

    @api.model
    def _read_group_orderby(self, order, groupby_terms, query):
        """Groups of buckets in the buckets' order (not due, 1-30, ..., over 90) in every view, charts and
        pivots included, instead of the alphabetical order of their keys."""
        order = order or ",".join(groupby_terms)
        parts = [part.split() for part in order.split(",") if part.strip()]
        if not any(words[0] == "bucket" for words in parts):
            return super()._read_group_orderby(order, groupby_terms, query)
        keys = [key for key, _label in self._selection_bucket()]
        terms = []
        for words in parts:
            if words[0] == "bucket":
                direction = SQL("DESC") if words[1:2] and words[1].upper() == "DESC" else SQL("ASC")
                terms.append(
                    SQL("array_position(%s::varchar[], %s) %s", keys, groupby_terms["bucket"], direction)
                )
            else:
                terms.append(super()._read_group_orderby(" ".join(words), groupby_terms, query))
        return SQL(", ").join(terms)

    @api.model
    def action_open_today(self):
        """The aging of the current company as of today, at once (the menu's entry)."""
        company = self.env.company
        return self._action_for(company._ar_today(), company)

    @api.model
    def _action_for(self, as_of, company):
        self._fill(as_of, company)
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_automation.ar_aging_line_action")
        action["domain"] = [("user_id", "=", self.env.uid), ("company_id", "=", company.id)]
        action["display_name"] = self.env._("Aging as of %s", format_date(self.env, as_of))
        # every bucket shown, an empty one too, when the chart or list groups by bucket alone
        action["context"] = {"allowed_company_ids": [company.id], "read_group_expand": True}
        return action

    def action_choose_date(self):
        """List header button: the aging as of another day."""
        return self.env["ir.actions.act_window"]._for_xml_id("ar_automation.ar_aging_wizard_action")

    @api.model
    def _fill(self, as_of, company):
        """Replace the current user's rows with the open items of ``company`` as of ``as_of``."""
        edges = parse_edges(company.ar_aging_edges)
        kpi = self.env["ar.kpi"]
        self.env.flush_all()
        self.env.cr.execute(
            SQL("DELETE FROM ar_aging_line WHERE user_id = %s AND company_id = %s", self.env.uid, company.id)
        )
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO ar_aging_line (as_of, user_id, company_id, partner_id, salesperson_id, move_id,
                                       currency_id, date_due, days_overdue, bucket, residual,
                                       residual_currency, create_uid, write_uid, create_date, write_date)
            SELECT %(as_of)s, %(uid)s, %(company)s, move.commercial_partner_id, customer.user_id,
                   items.move_id, items.currency_id, items.due, GREATEST(%(as_of)s - items.due, 0),
                   %(bucket)s, items.residual, items.residual_currency, %(uid)s, %(uid)s, %(now)s, %(now)s
              FROM (%(items)s) items
              JOIN account_move move ON move.id = items.move_id
              JOIN res_partner customer ON customer.id = move.commercial_partner_id
             WHERE items.residual != 0
            """,
                as_of=as_of,
                uid=self.env.uid,
                company=company.id,
                bucket=kpi._bucket_sql(edges, as_of),
                items=kpi._open_items_sql(as_of, company),
                now=fields.Datetime.now(),
            )
        )
        self.invalidate_model()
