from odoo import api, models
from odoo.tools.misc import format_amount, format_date

from odoo.addons.base.models.ir_actions_report import _wkhtml

# A Polish transfer title holds at most four lines of 35 characters.
TRANSFER_TITLE_LENGTH = 140
# States of Odoo's wkhtmltopdf check in which it renders PDFs ('workers': it does, with one worker).
PDF_ENGINE_WORKS = ("ok", "workers")


class ResCompany(models.Model):
    _inherit = "res.company"

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
