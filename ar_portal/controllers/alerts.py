"""What the portal tells the customer after a redirect: the URL carries a code (``?ar_error=amount_invalid``,
``?ar_message=saved``), never a sentence, and the sentence is looked up here, translated. An unknown code
shows nothing, so nobody can make the company's pages say what they want."""

from odoo.http import request

from odoo.addons.ar_dunning.engine.instalments import MAX_INSTALMENTS


def _errors(env):
    from .account_details import MAX_PO_LENGTH  # noqa: PLC0415 - account_details imports this module

    company = env.company
    return {
        # Paying invoices
        "select_invoice": env._("Select at least one invoice to pay."),
        "invalid_selection": env._("One of the selected documents cannot be paid here."),
        "amount_invalid": env._("Type each amount as a number more than zero, for example 1234,50."),
        "amount_too_high": env._("Each amount must be more than zero and at most what is due."),
        "one_partial": env._("Only one invoice can be paid in part at a time."),
        "one_currency": env._("Invoices of one company and one currency can be paid together."),
        "pay_expired": env._(
            "This payment page is out of date (it was open too long or the invoices changed): "
            "please select the invoices again."
        ),
        "pay_method_invalid": env._("Choose one of the payment methods offered."),
        # Statements
        "date_invalid": env._("Choose valid dates."),
        "period_reversed": env._("The period ends before it starts."),
        # Payment plans
        "plan_selection": env._("Select your open invoices to pay in instalments."),
        "plan_one_currency": env._("A payment plan covers invoices of one company and one currency."),
        "plan_too_many": env._("A payment plan has at most %s instalments.", MAX_INSTALMENTS),
        "plan_incomplete": env._("Give a date and an amount for each instalment."),
        "plan_date_past": env._("Each instalment's date must be after today."),
        "plan_date_horizon": env._(
            "Each instalment's date must be within %s months from today.", company.ar_plan_horizon_months
        ),
        "plan_amount_invalid": env._("Each instalment's amount must be more than zero."),
        "plan_total": env._(
            "The instalments must add up to the open balance of the selected invoices, to the cent."
        ),
        "plan_not_acceptable": env._("This payment plan cannot be accepted."),
        # Account details
        "email_invalid": env._("Give one valid e-mail address (and nothing else), or leave the field empty."),
        "lang_invalid": env._("Choose one of the languages offered."),
        "po_too_long": env._("The PO number has at most %s characters.", MAX_PO_LENGTH),
    }


def alert(code):
    """The translated error message for ``code``, or ``None`` for an unknown (or no) code."""
    if not isinstance(code, str) or not code:
        return None
    return _errors(request.env).get(code)


def alert_error(code):
    """``alert(code)`` as a string, for errors raised to a JSON-RPC caller (the payment form)."""
    return alert(code) or alert("pay_expired")
