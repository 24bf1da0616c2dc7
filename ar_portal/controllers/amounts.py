"""Amounts shown in the fields where the customer types an amount back."""

from odoo.tools.misc import formatLang


def amount_text(env, amount, currency):
    """``amount`` as the customer would type it: the separators of the environment's language and the
    currency's decimals, without a symbol (``2927,40`` in Polish, ``2,927.40`` in English).
    ``engine.inputs.parse_amount`` reads it back in the same language."""
    return formatLang(env, amount, digits=currency.decimal_places)
