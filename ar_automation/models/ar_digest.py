import base64
import io
import logging
from datetime import timedelta

import xlsxwriter

from odoo import api, fields, models
from odoo.tools import SQL, email_split

from ..engine.aging import bucket_keys
from .ar_aging_line import bucket_label
from .ar_kpi import parse_edges

_logger = logging.getLogger(__name__)
TOP_ACCOUNTS = 10


class ResCompany(models.Model):
    _inherit = "res.company"

    ar_digest_user_ids = fields.Many2many(
        "res.users",
        "ar_digest_user_rel",
        "company_id",
        "user_id",
        string="Digest Recipients",
        domain="[('share', '=', False)]",
        help="Users who receive the daily receivables digest by e-mail.",
    )
    ar_digest_emails = fields.Char(
        string="Digest Addresses", help="Other addresses for the daily digest, separated by commas."
    )

    @api.private
    def ar_digest_values(self):
        """What the daily digest shows (used by its e-mail template): the snapshot, the aging rows, the
        largest overdue accounts and the disputes opened in the last day."""
        self.ensure_one()
        today = self._ar_today()
        snapshot = self.env["ar.kpi"].ar_snapshot(today, self)
        edges = parse_edges(self.ar_aging_edges)
        since = fields.Datetime.now() - timedelta(days=1)
        return {
            "as_of": today,
            "snapshot": snapshot,
            "buckets": [(bucket_label(key), snapshot["buckets"][key]) for key in bucket_keys(edges)],
            "top_accounts": self._ar_top_overdue_accounts(today),
            "new_disputes": self.env["ar.dispute"].search(
                [("company_id", "=", self.id), ("date_opened", ">=", since)], order="amount_disputed desc"
            ),
        }

    def _ar_top_overdue_accounts(self, as_of, limit=TOP_ACCOUNTS):
        """``[(partner, overdue, receivable), ...]``: the customers owing the most overdue, largest first."""
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """
            SELECT move.commercial_partner_id,
                   SUM(items.residual) FILTER (WHERE items.residual > 0 AND items.due < %s),
                   SUM(items.residual)
              FROM (%s) items JOIN account_move move ON move.id = items.move_id
             GROUP BY 1
            HAVING SUM(items.residual) FILTER (WHERE items.residual > 0 AND items.due < %s) > 0
             ORDER BY 2 DESC
             LIMIT %s
            """,
                as_of,
                self.env["ar.kpi"]._open_items_sql(as_of, self),
                as_of,
                limit,
            )
        )
        partners = self.env["res.partner"].browse([row[0] for row in rows])
        return [(partner, row[1], row[2]) for partner, row in zip(partners, rows, strict=True)]

    def _ar_digest_xlsx(self, as_of):
        """The aging by customer as an XLSX workbook (bytes)."""
        edges = parse_edges(self.ar_aging_edges)
        keys = bucket_keys(edges)
        kpi = self.env["ar.kpi"]
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """
            SELECT move.commercial_partner_id, %s AS bucket, SUM(items.residual)
              FROM (%s) items JOIN account_move move ON move.id = items.move_id
             WHERE items.residual != 0
             GROUP BY 1, 2
            """,
                kpi._bucket_sql(edges, as_of),
                kpi._open_items_sql(as_of, self),
            )
        )
        by_partner = {}
        for partner_id, bucket, amount in rows:
            by_partner.setdefault(partner_id, dict.fromkeys(keys, 0.0))[bucket] = float(amount)
        partners = self.env["res.partner"].browse(list(by_partner)).sorted("name")
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = workbook.add_worksheet(self.env._("Aging"))
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "#,##0.00"})
        sheet.write_row(0, 0, [self.env._("Aging as of %s", as_of), self.currency_id.name], bold)
        header = (
            [self.env._("Customer"), self.env._("VAT")]
            + [bucket_label(k) for k in keys]
            + [self.env._("Total")]
        )
        sheet.write_row(2, 0, header, bold)
        for row, partner in enumerate(partners, start=3):
            amounts = [by_partner[partner.id][key] for key in keys]
            sheet.write(row, 0, partner.name)
            sheet.write(row, 1, partner.vat or "")
            sheet.write_row(row, 2, [*amounts, sum(amounts)], money)
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, len(header), 14)
        workbook.close()
        return output.getvalue()

    def _ar_send_digest(self):
        """E-mail the digest of each of these companies to its recipients, the XLSX aging attached."""
        template = self.env.ref("ar_automation.mail_template_ar_digest")
        sent = self.env["mail.mail"]
        for company in self:
            emails = email_split(company.ar_digest_emails or "")
            if not company.ar_digest_user_ids and not emails:
                continue
            as_of = company._ar_today()
            attachment = self.env["ir.attachment"].create(
                {
                    "name": f"aging-{company.id}-{as_of}.xlsx",
                    "datas": base64.b64encode(company._ar_digest_xlsx(as_of)),
                    "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "res_model": "res.company",
                    "res_id": company.id,
                }
            )
            # One e-mail per language, each recipient's (the plain addresses get the company's).
            company_lang = company.partner_id.lang or self.env.lang
            by_lang = company.ar_digest_user_ids.partner_id.grouped(lambda p, d=company_lang: p.lang or d)
            if emails:
                by_lang.setdefault(company_lang, self.env["res.partner"])
            for lang, partners in by_lang.items():
                mail = template.with_context(ar_digest_lang=lang).send_mail(
                    company.id,
                    email_values={
                        "recipient_ids": [(4, pid) for pid in partners.ids],
                        "email_to": ",".join(emails) if lang == company_lang else "",
                        "attachment_ids": [(4, attachment.id)],
                    },
                )
                sent |= self.env["mail.mail"].browse(mail)
            _logger.info("Receivables digest of %s queued", company.name)
        return sent

    def _cron_ar_digest(self):
        self.search([])._ar_send_digest()
        return True
