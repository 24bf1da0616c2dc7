"""The company's receivables settings and helpers: automatic invoicing, disputes and promises, aging, its
documents (PDF engine, bank account, transfer title) and the daily digest."""

import base64
import io
import logging
from datetime import timedelta

import pytz
import xlsxwriter
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tools import SQL, LazyTranslate, email_split
from odoo.tools.misc import format_amount, format_date
from odoo.tools.safe_eval import safe_eval

from odoo.addons.base.models.ir_actions_report import _wkhtml

from ..engine.aging import bucket_keys, bucket_label, parse_edges

_logger = logging.getLogger(__name__)

INVOICE_POLICIES = [
    ("manual", "By hand (Odoo's standard)"),
    ("on_confirm", "When the order is confirmed"),
    ("on_delivery", "When the goods are delivered"),
    ("milestone", "On milestones"),
    ("recurring", "On a recurring schedule"),
]


# A Polish transfer title holds at most four lines of 35 characters.
TRANSFER_TITLE_LENGTH = 140
# States of Odoo's wkhtmltopdf check in which it renders PDFs ('workers': it does, with one worker).
PDF_ENGINE_WORKS = ("ok", "workers")
# Customers listed in the digest's largest overdue accounts.
_lt = LazyTranslate(__name__)
TOP_ACCOUNTS = 10
# The digest's figures compared with yesterday's and last month's snapshots: (key, label, kind).
DIGEST_FIGURES = (
    ("receivable", _lt("Receivable"), "money"),
    ("overdue", _lt("Overdue"), "money"),
    ("disputed_amount", _lt("Disputed"), "money"),
    ("dso", _lt("DSO (count-back, days)"), "number"),
    ("best_possible_dso", _lt("Best possible DSO (days)"), "number"),
    ("cei", _lt("CEI (%)"), "number"),
    ("overdue_ratio", _lt("Overdue share (%)"), "number"),
)
# Items listed per exception in the digest (the link opens all of them).
DIGEST_EXCEPTION_ITEMS = 5


class ResCompany(models.Model):
    _inherit = "res.company"

    ar_invoice_policy = fields.Selection(
        selection=INVOICE_POLICIES,
        string="Automatic Invoicing",
        default="manual",
        required=True,
        help="When invoices are generated from sale orders, checked, posted and sent without anyone "
        "touching them. Customers can override it.",
    )

    ar_dispute_team_id = fields.Many2one(
        "crm.team",
        string="Dispute Team",
        help="Owns the disputes of customers that have no salesperson (its leader gets the task).",
    )
    ar_dispute_sla_days = fields.Integer(
        string="Dispute SLA (days)", default=5, help="Days the owner has to resolve a dispute."
    )
    ar_promise_grace_days = fields.Integer(
        string="Promise Grace (days)",
        default=3,
        help="Days after a promised payment date before the promise counts as broken and reminders resume.",
    )
    ar_promise_horizon_days = fields.Integer(
        string="Promise Horizon (days)",
        default=90,
        help="A customer may promise to pay an invoice at most this many days from today.",
    )
    ar_promise_max_renewals = fields.Integer(
        string="Promise Renewals",
        default=2,
        help="How many times a customer may promise a new date for the same invoice (on the portal or by "
        "e-mail) after the first promise; past that, only a collector records a promise.",
    )

    ar_aging_edges = fields.Char(
        string="Aging Buckets",
        default="30,60,90",
        help="Days overdue that end each aging bucket, ascending, separated by commas.",
    )

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

    ar_ksef_offline_mode = fields.Boolean(
        string="KSeF Offline Mode",
        help="Issue the invoices offline rather than through KSeF (during an unavailability of KSeF the "
        "Ministry announced, or a failure on your side): they are e-mailed with the two QR codes of the "
        "offline mode and sent to KSeF once this is switched off, by the next business day.",
    )
    ar_ksef_offline_certificate_id = fields.Many2one(
        "certificate.certificate",
        string="KSeF Offline Certificate",
        groups="base.group_system",
        help="The company's KSeF certificate of type Offline (requested in KSeF), with its private key: it "
        "signs the KOD II QR code that an invoice issued offline must carry. Without it, invoices are never "
        "issued offline: they wait in the KSeF queue until KSeF answers.",
    )

    @api.constrains("ar_aging_edges")
    def _check_ar_aging_edges(self):
        for company in self:
            try:
                parse_edges(company.ar_aging_edges)
            except ValueError as error:
                raise ValidationError(
                    self.env._("Aging buckets of %(company)s: %(error)s", company=company.name, error=error)
                ) from error

    def _ar_timezone(self):
        """The company's time zone: its partner's, else the current user's, else UTC."""
        self.ensure_one()
        return self.partner_id.tz or self.env.user.tz or "UTC"

    def _ar_today(self):
        """Today's date in the company's time zone (``today`` in every AR computation)."""
        self.ensure_one()
        now = fields.Datetime.now().replace(tzinfo=pytz.utc)
        return now.astimezone(pytz.timezone(self._ar_timezone())).date()

    # ------------------------------------------------------------------
    # Documents: PDF engine, bank account, transfer title
    # ------------------------------------------------------------------

    @api.model
    def _ar_pdf_engine(self):
        """The PDF engine Odoo found: ``{'state', 'version', 'bin', 'prints_headers'}``.

        ``prints_headers`` is False for a wkhtmltopdf built without wkhtmltopdf's patched Qt (Debian's),
        which drops Odoo's header and footer: our layouts then print the seller's identity in the body.
        """
        engine = _wkhtml()
        return {
            "state": engine.state,
            "version": engine.version,
            "bin": engine.bin,
            "prints_headers": engine.state in PDF_ENGINE_WORKS and engine.is_patched_qt,
        }

    def _ar_pdf_problem(self):
        """Why this company's invoices and statements cannot be sent as PDFs that show the seller's name,
        address and NIP, as a message; empty when they can (also with an engine that drops headers and
        footers: our layouts then print the seller's identity in the body)."""
        self.ensure_one()
        engine = self._ar_pdf_engine()
        if engine["state"] not in PDF_ENGINE_WORKS:
            return self.env._(
                "No working PDF engine (wkhtmltopdf: %(state)s): invoices and statements would go out "
                "without the seller's name, address and NIP. Install wkhtmltopdf (bin/setup does it).",
                state=engine["state"],
            )
        return ""

    def _ar_bank_account(self):
        """The bank account customers pay this company to: its first bank journal's account."""
        self.ensure_one()
        journal = (
            self.env["account.journal"]
            .sudo()
            .search(
                [("type", "=", "bank"), ("company_id", "=", self.id), ("bank_account_id", "!=", False)],
                order="sequence, id",
                limit=1,
            )
        )
        return journal.bank_account_id

    def _ar_transfer_title(self, invoices):
        """The title of one bank transfer paying ``invoices`` to this company, in the environment's
        language: each invoice's number, date and open amount ("FV/2026/00012 z 02.03.2026: 1 230,00 zł"),
        or only the numbers when that would not fit a Polish transfer title (140 characters). An invoice
        issued in KSeF is named by its KSeF number, which art. 108g of the VAT act puts in the title."""
        env = self.env
        invoices = invoices.sorted(lambda move: (move.invoice_date or move.date, move.id))
        if not invoices:
            return ""
        detailed = "; ".join(
            env._(
                "%(number)s of %(date)s: %(amount)s",
                number=move.l10n_pl_edi_number or move.name,
                date=format_date(env, move.invoice_date or move.date),
                amount=format_amount(env, move.amount_residual, move.currency_id),
            )
            for move in invoices
        )
        if len(detailed) <= TRANSFER_TITLE_LENGTH:
            return detailed
        numbers = ", ".join(move.l10n_pl_edi_number or move.name for move in invoices)
        if len(numbers) <= TRANSFER_TITLE_LENGTH:
            return numbers
        # Whole numbers only: a KSeF number cut short would name no invoice.
        cut = numbers[: TRANSFER_TITLE_LENGTH - 1].rsplit(", ", 1)[0]
        return cut + "…"

    # ------------------------------------------------------------------
    # Daily digest
    # ------------------------------------------------------------------

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
            "figures": self._ar_digest_figures(today, snapshot),
            "links": self._ar_digest_links(),
            "exceptions": self._ar_digest_exceptions(today),
            "buckets": [(bucket_label(key), snapshot["buckets"][key]) for key in bucket_keys(edges)],
            "top_accounts": self._ar_top_overdue_accounts(today),
            "new_disputes": self.env["ar.dispute"].search(
                [("company_id", "=", self.id), ("date_opened", ">=", since)], order="amount_disputed desc"
            ),
        }

    def _ar_digest_figures(self, today, snapshot):
        """``[{label, value, yesterday, month, kind}]``: today's figures with their change against the
        snapshots of yesterday and of the same day last month (the latest on or before it); a change is
        None without such a snapshot or figure."""
        snapshots = self.env["ar.kpi.snapshot"]

        def stored(day):
            return snapshots.search(
                [("company_id", "=", self.id), ("scope", "=", "company"), ("date", "<=", day)],
                order="date desc",
                limit=1,
            )

        yesterday, month = stored(today - timedelta(days=1)), stored(today - relativedelta(months=1))
        figures = []
        for key, label, kind in DIGEST_FIGURES:
            value = snapshot.get(key)
            value = float(value) if value is not None else None

            def change(old, key=key, value=value):
                return round(value - old[key], 2) if old and value is not None else None

            figures.append(
                {
                    "key": key,
                    "label": str(label),
                    "value": value,
                    "kind": kind,
                    "yesterday": change(yesterday),
                    "month": change(month),
                }
            )
        return figures

    def _ar_digest_url(self, xml_id):
        """The backend address opening the action ``xml_id``."""
        return f"{self.get_base_url()}/odoo/action-{xml_id}"

    def _ar_digest_links(self):
        return {
            "worklist": self._ar_digest_url("ar_automation.ar_worklist_item_action"),
            "kpis": self._ar_digest_url("ar_automation.ar_kpi_snapshot_action"),
            "aging": self._ar_digest_url("ar_automation.ar_aging_line_action"),
            "disputes": self._ar_digest_url("ar_automation.ar_dispute_action"),
        }

    def _ar_digest_exceptions(self, today):
        """Today's exceptions, each ``{title, count, url, items}`` (``items``: a few lines of text): invoices
        to fix and e-mails that failed in the last day. Addons add theirs (bank: payments to match,
        expiring consents) by extending this method."""
        exceptions = []
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_automation.account_move_action_ar_to_fix")
        to_fix = self.env["account.move"].search(
            safe_eval(action["domain"] or "[]") + [("company_id", "=", self.id)], order="invoice_date, id"
        )
        if to_fix:
            exceptions.append(
                {
                    "title": self.env._("Invoices to fix"),
                    "count": len(to_fix),
                    "url": self._ar_digest_url("ar_automation.account_move_action_ar_to_fix"),
                    "items": [
                        f"{move.name or move.display_name}: {move.partner_id.display_name}"
                        for move in to_fix[:DIGEST_EXCEPTION_ITEMS]
                    ],
                }
            )
        failed = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("state", "=", "exception"),
                    ("create_date", ">=", fields.Datetime.now() - timedelta(days=1)),
                    "|",
                    ("record_company_id", "=", self.id),
                    ("record_company_id", "=", False),
                ],
                order="id desc",
            )
        )
        if failed:
            exceptions.append(
                {
                    "title": self.env._("E-mails that failed"),
                    "count": len(failed),
                    "url": f"{self.get_base_url()}/odoo/action-mail.action_view_mail_mail",
                    "items": [
                        f"{mail.subject or ''} → {mail.email_to or mail.recipient_ids[:1].email or ''}: "
                        f"{mail.failure_reason or ''}"[:200]
                        for mail in failed[:DIGEST_EXCEPTION_ITEMS]
                    ],
                }
            )
        return exceptions

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
                        "recipient_ids": [Command.link(pid) for pid in partners.ids],
                        "email_to": ",".join(emails) if lang == company_lang else "",
                        "attachment_ids": [Command.link(attachment.id)],
                    },
                )
                sent |= self.env["mail.mail"].browse(mail)
            _logger.info("Receivables digest of %s queued", company.name)
        return sent

    def _cron_ar_digest(self):
        """The day's digest of each company, once however many workers run this at the same moment: a
        company another worker is sending (its row locked) or whose digest of the day exists is skipped."""
        companies = self.search([]).try_lock_for_update(allow_referencing=True)
        names = {company: f"aging-{company.id}-{company._ar_today()}.xlsx" for company in companies}
        done = self.env["ir.attachment"].search_fetch(
            [
                ("res_model", "=", "res.company"),
                ("res_id", "in", companies.ids),
                ("name", "in", list(names.values())),
            ],
            ["name"],
        )
        companies.filtered(lambda company: names[company] not in done.mapped("name"))._ar_send_digest()
        return True
