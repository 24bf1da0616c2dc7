from datetime import timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from odoo import Command, fields, http
from odoo.http import request

from odoo.addons.ar_dunning.engine.instalments import MAX_INSTALMENTS, split_evenly
from odoo.addons.portal.controllers.portal import CustomerPortal


class PlanError(ValueError):
    """The proposal cannot be accepted; the message is translated and safe to show to the customer."""


class ArPaymentPlanPortal(CustomerPortal):
    """The customer proposes instalments for open invoices, sees their plans and accepts a counter-proposal.
    Everything the browser sends is checked again here: only the customer's own open posted invoices of one
    company, positive amounts adding up to their open balance, dates in the future, at most 24."""

    def _ar_plan_customer(self):
        return request.env.user.partner_id.commercial_partner_id

    def _ar_plan_invoices(self, invoice_ids=None):
        """The customer's invoices that may go into a new plan (sudo, bound to the customer)."""
        domain = [
            ("commercial_partner_id", "=", self._ar_plan_customer().id),
            ("company_id", "in", request.env.user.company_ids.ids),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("ar_payment_plan_ids", "not any", [("state", "in", ("proposed", "countered", "approved"))]),
        ]
        if invoice_ids is not None:
            domain.append(("id", "in", invoice_ids))
        return request.env["account.move"].sudo().search(domain, order="invoice_date_due, id")

    def _ar_plan_selection(self, raw_ids):
        """The selected invoices; any id that is not one of the customer's eligible invoices (someone
        else's, paid, cancelled, unknown) refuses the whole selection with the same message."""
        try:
            ids = {int(value) for value in raw_ids}
        except (TypeError, ValueError):
            ids = None
        invoices = self._ar_plan_invoices(list(ids)) if ids else request.env["account.move"]
        if not ids or len(invoices) != len(ids):
            raise PlanError(request.env._("Select your open invoices to pay in instalments."))
        if len(invoices.company_id) != 1 or len(invoices.currency_id) != 1:
            raise PlanError(request.env._("A payment plan covers invoices of one company and one currency."))
        return invoices

    def _ar_plan_schedule(self, invoices, form):
        """``[(date, Decimal), ...]`` from the form's ``date_<n>``/``amount_<n>`` fields, checked."""
        env = request.env
        currency = invoices.currency_id
        today = invoices.company_id._ar_today()
        schedule = []
        for index in range(MAX_INSTALMENTS + 1):
            day, text = form.get(f"date_{index}"), form.get(f"amount_{index}")
            if day is None and text is None:
                continue
            if index == MAX_INSTALMENTS:
                raise PlanError(env._("A payment plan has at most %s instalments.", MAX_INSTALMENTS))
            try:
                day = fields.Date.to_date(day)
                amount = Decimal((text or "").strip().replace(" ", "").replace(",", "."))
            except (ValueError, InvalidOperation):
                raise PlanError(env._("Give a date and an amount for each instalment.")) from None
            if not day or day <= today:
                raise PlanError(env._("Each instalment's date must be after today."))
            if not amount.is_finite() or amount <= 0 or amount != round(amount, currency.decimal_places):
                raise PlanError(env._("Each instalment's amount must be more than zero."))
            schedule.append((day, amount))
        if not schedule:
            raise PlanError(env._("Give a date and an amount for each instalment."))
        total = sum(amount for _day, amount in schedule)
        balance = sum(invoices.mapped("amount_residual"))
        if currency.compare_amounts(float(total), balance):
            raise PlanError(
                env._(
                    "The instalments add up to %(total)s but the selected invoices' open balance is "
                    "%(balance)s: they must be equal.",
                    total=currency.round(float(total)),
                    balance=currency.round(balance),
                )
            )
        return sorted(schedule)

    def _ar_plan_redirect(self, **params):
        return request.redirect("/my/payment_plan?" + urlencode(params))

    @http.route("/my/payment_plan", type="http", auth="user", methods=["GET"], website=True)
    def portal_ar_payment_plan(self, count=None, first_date=None, **kw):
        invoices = self._ar_plan_invoices()
        customer = self._ar_plan_customer()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "ar_payment_plan",
                "invoices": invoices,
                "plans": request.env["ar.payment.plan"]
                .sudo()
                .search([("partner_id", "=", customer.id), ("state", "!=", "draft")]),
                "max_instalments": MAX_INSTALMENTS,
                "ar_error": kw.get("ar_error"),
                "ar_message": kw.get("ar_message"),
                "selected": request.env["account.move"],
                "schedule": [],
            }
        )
        selected_ids = request.httprequest.args.getlist("invoice_ids")
        if selected_ids:
            try:
                selected = self._ar_plan_selection(selected_ids)
            except PlanError as error:
                return self._ar_plan_redirect(ar_error=str(error))
            count = min(max(int(count), 1), MAX_INSTALMENTS) if str(count).isdigit() else 3
            try:
                start = fields.Date.to_date(first_date or None)
            except ValueError:
                start = None
            company_today = selected.company_id._ar_today()
            if not start or start <= company_today:
                start = company_today + timedelta(days=14)
            balance = Decimal(str(sum(selected.mapped("amount_residual"))))
            step = Decimal(1).scaleb(-selected.currency_id.decimal_places)
            values.update(
                {
                    "selected": selected,
                    "currency": selected.currency_id,
                    "balance": float(balance),
                    "schedule": split_evenly(balance.quantize(step), count, start, step=step),
                }
            )
        return request.render("ar_portal.portal_my_payment_plan", values)

    @http.route("/my/payment_plan/propose", type="http", auth="user", methods=["POST"], website=True)
    def portal_ar_payment_plan_propose(self, note="", **kw):
        form = request.httprequest.form
        try:
            invoices = self._ar_plan_selection(form.getlist("invoice_ids"))
            schedule = self._ar_plan_schedule(invoices, form)
        except PlanError as error:
            return self._ar_plan_redirect(ar_error=str(error))
        plan_sudo = (
            request.env["ar.payment.plan"]
            .sudo()
            .create(
                {
                    "company_id": invoices.company_id.id,
                    "partner_id": self._ar_plan_customer().id,
                    "invoice_ids": [Command.set(invoices.ids)],
                    "origin": "portal",
                    "note": (note or "").strip()[:5000],
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
                    ("id", "=", plan_id),
                    ("partner_id", "=", self._ar_plan_customer().id),
                    ("state", "=", "countered"),
                ]
            )
        )
        if not plan_sudo:
            return self._ar_plan_redirect(ar_error=request.env._("This payment plan cannot be accepted."))
        plan_sudo.action_accept_counter()
        return self._ar_plan_redirect(ar_message="accepted")
