from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from odoo import Command, http
from odoo.fields import Domain
from odoo.http import request

from odoo.addons.ar_dunning.engine.instalments import MAX_INSTALMENTS, add_months, plan_problems, split_evenly
from odoo.addons.portal.controllers.portal import CustomerPortal

from ..engine.inputs import MAX_ID, InputError, clean_text, parse_amount, parse_count, parse_date, parse_ids
from .alerts import alert
from .amounts import amount_text

MAX_NOTE_LENGTH = 5000


class PlanError(InputError):
    """The proposal cannot be accepted; ``code`` names why (the portal shows its translated message)."""


class ArPaymentPlanPortal(CustomerPortal):
    """The customer proposes instalments for open invoices, sees their plans and accepts a counter-proposal.
    Everything the browser sends is checked again here: only the customer's own open posted invoices of one
    company, positive amounts adding up to their open balance, dates after today and within the company's
    horizon (``ar_plan_horizon_months``), at most 24."""

    def _ar_plan_customer(self):
        return request.env.user.partner_id.commercial_partner_id

    def _ar_plan_invoices(self, invoice_ids=None):
        """The customer's invoices that may go into a new plan (sudo, bound to the customer)."""
        domain = request.env["account.move"]._ar_open_receivable_domain() & Domain(
            [
                ("commercial_partner_id", "=", self._ar_plan_customer().id),
                ("company_id", "in", request.env.user.company_ids.ids),
                ("ar_payment_plan_ids", "not any", [("state", "in", ("proposed", "countered", "approved"))]),
            ]
        )
        if invoice_ids is not None:
            domain &= Domain("id", "in", invoice_ids)
        return request.env["account.move"].sudo().search(domain, order="invoice_date_due, id")

    def _ar_plan_selection(self, raw_ids):
        """The selected invoices; any id that is not one of the customer's eligible invoices (someone
        else's, paid, cancelled, unknown, malformed) refuses the whole selection with the same code."""
        try:
            ids = parse_ids(raw_ids, code="plan_selection")
        except InputError:
            ids = []
        invoices = self._ar_plan_invoices(ids) if ids else request.env["account.move"]
        if not ids or len(invoices) != len(ids):
            raise PlanError("plan_selection")
        if len(invoices.company_id) != 1 or len(invoices.currency_id) != 1:
            raise PlanError("plan_one_currency")
        return invoices

    def _ar_plan_horizon(self, company, today):
        """The last day an instalment may fall on."""
        return add_months(today, max(company.ar_plan_horizon_months, 1))

    def _ar_plan_schedule(self, invoices, form):
        """``[(date, Decimal), ...]`` from the form's ``date_<n>``/``amount_<n>`` fields, checked."""
        currency = invoices.currency_id
        company = invoices.company_id
        today = company._ar_today()
        horizon = self._ar_plan_horizon(company, today)
        schedule = []
        for index in range(MAX_INSTALMENTS + 1):
            day, text = form.get(f"date_{index}"), form.get(f"amount_{index}")
            if day is None and text is None:
                continue
            if index == MAX_INSTALMENTS:
                raise PlanError("plan_too_many")
            try:
                day = parse_date(day or "")
            except InputError:
                raise PlanError("plan_incomplete") from None
            try:
                amount = parse_amount(text or "", request.env.lang or "en_US", currency.decimal_places)
            except InputError:
                raise PlanError("plan_amount_invalid") from None
            schedule.append((day, amount))
        problems = plan_problems(
            schedule,
            Decimal(str(sum(invoices.mapped("amount_residual")))),
            today=today,
            horizon=horizon,
            step=Decimal(str(currency.rounding)),
        )
        if problems:
            raise PlanError(problems[0])
        return sorted(schedule)

    def _ar_plan_redirect(self, **params):
        return request.redirect("/my/payment_plan?" + urlencode(params))

    def _ar_plan_split(self, selected, count, first_date):
        """An even monthly split of the selection's balance that starts after today and ends within the
        horizon (fewer instalments, an earlier start, when the customer asks for more)."""
        company = selected.company_id
        today = company._ar_today()
        horizon = self._ar_plan_horizon(company, today)
        try:
            start = parse_date(first_date or "")
        except InputError:
            start = None
        if not start or start <= today or start > horizon:
            start = min(today + timedelta(days=14), horizon)
        while count > 1 and add_months(start, count - 1) > horizon:
            count -= 1
        balance = Decimal(str(sum(selected.mapped("amount_residual"))))
        step = Decimal(1).scaleb(-selected.currency_id.decimal_places)
        return float(balance), split_evenly(balance.quantize(step), count, start, step=step)

    def _ar_plan_values(self):
        invoices = self._ar_plan_invoices()
        customer = self._ar_plan_customer()
        company = invoices.company_id[:1] or request.env.company
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "ar_payment_plan",
                "invoices": invoices,
                "plans": request.env["ar.payment.plan"]
                .sudo()
                .search([("partner_id", "=", customer.id), ("state", "!=", "draft")]),
                "max_instalments": min(MAX_INSTALMENTS, max(company.ar_plan_horizon_months, 1)),
                "ar_alert": None,
                "ar_message": None,
                "selected": request.env["account.move"],
                "schedule": [],
                "note": "",
            }
        )
        return values

    @http.route("/my/payment_plan", type="http", auth="user", methods=["GET"], website=True, readonly=True)
    def portal_ar_payment_plan(self, count=None, first_date=None, **kw):
        values = self._ar_plan_values()
        values.update({"ar_alert": alert(kw.get("ar_error")), "ar_message": kw.get("ar_message")})
        selected_ids = request.httprequest.args.getlist("invoice_ids")
        if selected_ids:
            try:
                selected = self._ar_plan_selection(selected_ids)
            except PlanError as error:
                return self._ar_plan_redirect(ar_error=error.code)
            balance, schedule = self._ar_plan_split(
                selected, parse_count(count, 1, MAX_INSTALMENTS, 3), first_date
            )
            currency = selected.currency_id
            values.update(
                {
                    "selected": selected,
                    "currency": currency,
                    "balance": balance,
                    # Dates as the date fields take them, amounts as the customer would type them.
                    "schedule": [
                        (day.isoformat(), amount_text(request.env, float(amount), currency))
                        for day, amount in schedule
                    ],
                }
            )
        return request.render("ar_portal.portal_my_payment_plan", values)

    @http.route("/my/payment_plan/propose", type="http", auth="user", methods=["POST"], website=True)
    def portal_ar_payment_plan_propose(self, note="", **kw):
        form = request.httprequest.form
        try:
            invoices = self._ar_plan_selection(form.getlist("invoice_ids"))
        except PlanError as error:
            return self._ar_plan_redirect(ar_error=error.code)
        try:
            schedule = self._ar_plan_schedule(invoices, form)
        except PlanError as error:
            # The proposal again as the customer typed it (dates, amounts, note), the reason above it.
            values = self._ar_plan_values()
            typed = [
                (form.get(f"date_{index}", ""), form.get(f"amount_{index}", ""))
                for index in range(MAX_INSTALMENTS)
                if f"date_{index}" in form or f"amount_{index}" in form
            ]
            values.update(
                {
                    "selected": invoices,
                    "currency": invoices.currency_id,
                    "balance": sum(invoices.mapped("amount_residual")),
                    "schedule": typed,
                    "note": note if isinstance(note, str) else "",
                    "ar_plan_error": alert(error.code),
                }
            )
            if not typed:
                values["ar_alert"] = values.pop("ar_plan_error")
            return request.render("ar_portal.portal_my_payment_plan", values, status=422)
        plan_sudo = (
            request.env["ar.payment.plan"]
            .sudo()
            .create(
                {
                    "company_id": invoices.company_id.id,
                    "partner_id": self._ar_plan_customer().id,
                    "invoice_ids": [Command.set(invoices.ids)],
                    "origin": "portal",
                    "note": clean_text(note, MAX_NOTE_LENGTH, multiline=True),
                    "line_ids": [
                        Command.create({"date": day, "amount": float(amount)}) for day, amount in schedule
                    ],
                }
            )
        )
        plan_sudo.action_propose()
        return self._ar_plan_redirect(ar_message="proposed")

    @http.route(
        "/my/payment_plan/<int:plan_id>/accept", type="http", auth="user", methods=["POST"], website=True
    )
    def portal_ar_payment_plan_accept(self, plan_id, **kw):
        plan_sudo = (
            request.env["ar.payment.plan"]
            .sudo()
            .search(
                [
                    ("id", "=", plan_id if 0 < plan_id <= MAX_ID else 0),
                    ("partner_id", "=", self._ar_plan_customer().id),
                    ("state", "=", "countered"),
                ]
            )
        )
        if not plan_sudo:
            return self._ar_plan_redirect(ar_error="plan_not_acceptable")
        plan_sudo.action_accept_counter()
        return self._ar_plan_redirect(ar_message="accepted")
