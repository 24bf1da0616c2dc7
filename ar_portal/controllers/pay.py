import time
from decimal import Decimal
from urllib.parse import urlencode

from odoo import Command, fields, http
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.http import request
from odoo.tools.misc import hmac

from odoo.addons.account_payment.controllers.portal import PortalAccount
from odoo.addons.payment.controllers.portal import PaymentPortal

from ..engine.allocation import AllocationError, allocate
from ..engine.inputs import InputError, parse_ids
from ..engine.pay_token import TOKEN_SECONDS, PaySelection, PayTokenError, make_token, read_token
from .alerts import alert_error


class ArPayInvoicesPortal(PortalAccount):
    """Pay a selection of the customer's open invoices, possibly one of them in part, in one transaction.

    The pay page (a GET that changes nothing) validates the selection and shows the invoices, amounts,
    total and reference; a signed token in the page (``engine.pay_token``) carries exactly these to the
    transaction route, which checks the token, the invoices again, and that the provider and payment
    method are ones Odoo offers for this company, currency and customer. Nothing the browser sends
    besides the token decides what is charged."""

    def _ar_open_residuals(self):
        partner = request.env.user.partner_id.commercial_partner_id
        invoices = (
            request.env["account.move"]
            .sudo()
            .search(
                request.env["account.move"]._ar_open_receivable_domain()
                & Domain(
                    [
                        ("commercial_partner_id", "=", partner.id),
                        ("company_id", "in", request.env.user.company_ids.ids),
                    ]
                )
            )
        )
        return invoices, {inv.id: Decimal(str(inv.amount_residual)) for inv in invoices}

    def _ar_pay_sign(self, payload):
        return hmac(request.env(su=True), "ar_portal-pay", payload)

    def _ar_pay_reference(self, invoices):
        """The payment's reference, from the invoices alone (so that showing it changes nothing): the
        invoice's number, or Odoo's own prefix for several invoices (their numbers)."""
        if len(invoices) == 1:
            return invoices.name
        return (
            request.env["payment.transaction"]
            .sudo()
            ._compute_reference_prefix("-", invoice_ids=[Command.set(invoices.ids)])
        )

    def _ar_pay_selection(self, args):
        """The invoices and ``{id: Decimal}`` chosen in the query string, checked; ``InputError``."""
        invoices, residuals = self._ar_open_residuals()
        if args.get("overdue"):
            today = request.env.company.sudo()._ar_today()
            selected = invoices.filtered(
                lambda inv: inv.invoice_date_due and inv.invoice_date_due < today
            ).ids
        else:
            selected = parse_ids(args.getlist("invoice_ids"), code="invalid_selection")
        if not selected:
            raise AllocationError("select_invoice")
        chosen = invoices.filtered(lambda inv: inv.id in selected)
        if len(chosen) != len(selected):
            raise AllocationError("invalid_selection")
        if len(chosen.company_id) != 1 or len(chosen.currency_id) != 1:
            raise AllocationError("one_currency")
        requested = {invoice_id: args.get(f"amount_{invoice_id}", "") for invoice_id in selected}
        allocation = allocate(
            selected,
            requested,
            residuals,
            locale=request.env.lang or "en_US",
            places=chosen.currency_id.decimal_places,
        )
        return chosen.sorted(lambda inv: selected.index(inv.id)), allocation

    @http.route("/my/statement/pay", type="http", auth="user", methods=["GET"], website=True)
    def portal_ar_pay(self, **kw):
        try:
            invoices, allocation = self._ar_pay_selection(request.httprequest.args)
        except InputError as error:
            return request.redirect("/my/statement?" + urlencode({"ar_error": error.code}))
        total = float(sum(allocation.values()))
        company = invoices.company_id
        currency = invoices.currency_id
        reference = self._ar_pay_reference(invoices)
        token = make_token(
            PaySelection(
                partner_id=request.env.user.partner_id.id,
                currency_id=currency.id,
                allocation=allocation,
                reference=reference,
                expires=int(time.time()) + TOKEN_SECONDS,
            ),
            self._ar_pay_sign,
        )
        values = {
            "page_name": "overdue_invoices",
            "payment": {
                "date": fields.Date.today(),
                "reference": reference,
                "amount": total,
                "currency": currency,
            },
            "amount": total,
        }
        # Nothing from the query string reaches the payment form's values (no invoice_id, no routes).
        values |= self._get_common_page_view_values(
            invoices_data={
                "partner": invoices.partner_id[:1],
                "company": company,
                "total_amount": total,
                "currency": currency,
                "amount_residual": total,
                "payment_reference": reference,
                "landing_route": "/my/statement",
                "transaction_route": "/my/statement/pay/transaction",
            },
            access_token=token,
        )
        values["ar_allocation"] = [(inv, float(allocation[inv.id])) for inv in invoices]
        return request.render("ar_portal.portal_ar_pay_page", values)

    # ------------------------------------------------------------------
    # The transaction
    # ------------------------------------------------------------------

    def _ar_confirmed_selection(self, access_token):
        """The invoices and allocation signed in ``access_token``, still open and still owed."""
        try:
            selection = read_token(
                access_token, self._ar_pay_sign, request.env.user.partner_id.id, time.time()
            )
        except PayTokenError:
            raise ValidationError(alert_error("pay_expired")) from None
        invoices, residuals = self._ar_open_residuals()
        chosen = invoices.filtered(lambda inv: inv.id in selection.allocation)
        if (
            len(chosen) != len(selection.allocation)
            or chosen.currency_id.id != selection.currency_id
            or len(chosen.company_id) != 1
            or any(
                amount <= 0 or amount > residuals[inv_id] for inv_id, amount in selection.allocation.items()
            )
        ):
            raise ValidationError(alert_error("pay_expired"))
        return chosen, selection

    def _ar_check_payment_option(self, invoices, amount, kwargs):
        """The provider, payment method or saved token chosen must be one Odoo offers for these invoices'
        company and currency and this customer (what the pay page listed)."""
        partner = request.env.user.partner_id
        company = invoices.company_id
        currency = invoices.currency_id
        providers_sudo = (
            request.env["payment.provider"]
            .sudo()
            ._get_compatible_providers(company.id, partner.id, amount, currency_id=currency.id)
        )
        provider_id = kwargs.get("provider_id")
        flow = kwargs.get("flow")
        if (
            kwargs.get("is_validation")
            or flow not in ("redirect", "direct", "token")
            or not isinstance(provider_id, int)
            or provider_id not in providers_sudo.ids
            or not PaymentPortal._can_partner_pay_in_company(partner, company)
        ):
            raise ValidationError(alert_error("pay_method_invalid"))
        if flow == "token":
            tokens_sudo = (
                request.env["payment.token"].sudo()._get_available_tokens(providers_sudo.ids, partner.id)
            )
            token_sudo = tokens_sudo.filtered(lambda token: token.id == kwargs.get("token_id"))
            if not token_sudo or token_sudo.provider_id.id != provider_id:
                raise ValidationError(alert_error("pay_method_invalid"))
        else:
            methods_sudo = (
                request.env["payment.method"]
                .sudo()
                ._get_compatible_payment_methods(providers_sudo.ids, partner.id, currency_id=currency.id)
            )
            method_sudo = methods_sudo.filtered(lambda method: method.id == kwargs.get("payment_method_id"))
            if not method_sudo or provider_id not in method_sudo.provider_ids.ids:
                raise ValidationError(alert_error("pay_method_invalid"))

    @http.route("/my/statement/pay/transaction", type="jsonrpc", auth="user", methods=["POST"])
    def portal_ar_pay_transaction(self, access_token=None, csrf_token=None, **kwargs):
        if not request.validate_csrf(csrf_token):
            raise ValidationError(alert_error("pay_expired"))
        invoices, selection = self._ar_confirmed_selection(access_token)
        # The account_payment form sends the page's reference back: the signed one is used instead.
        kwargs.pop("payment_reference", None)
        self._validate_transaction_kwargs(kwargs)
        amount = float(selection.total)
        self._ar_check_payment_option(invoices, amount, kwargs)
        kwargs.update(
            {
                "amount": amount,  # never the browser's amount
                "currency_id": invoices.currency_id.id,
                "partner_id": request.env.user.partner_id.id,
                "reference_prefix": selection.reference,
                "landing_route": "/my/statement",
                "is_validation": False,
            }
        )
        tx_sudo = self._create_transaction(
            custom_create_values={
                "invoice_ids": [Command.set(invoices.ids)],
                "ar_allocation": {str(k): float(v) for k, v in selection.allocation.items()},
            },
            **kwargs,
        )
        return tx_sudo._get_processing_values()
