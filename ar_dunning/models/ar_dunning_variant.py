import hashlib

from odoo import fields, models


class ArDunningVariant(models.Model):
    """A template variant of a level for A/B testing: each reminder of the level gets one variant, drawn
    by weight, and the variant report compares how fast the invoices were paid after each."""

    _name = "ar.dunning.variant"
    _description = "Reminder Template Variant"
    _order = "level_id, id"

    level_id = fields.Many2one("ar.dunning.level", required=True, index=True, ondelete="cascade")
    name = fields.Char(required=True)
    template_id = fields.Many2one(
        "mail.template",
        required=True,
        domain="[('model', '=', 'ar.dunning.line')]",
        help="The e-mail sent to the customers who draw this variant.",
    )
    weight = fields.Integer(default=1, help="Relative share of the reminders that get this variant.")
    active = fields.Boolean(default=True)

    _weight_positive = models.Constraint("CHECK(weight > 0)", "A variant's weight must be positive.")


def draw_variant(variants, seed):
    """The variant (among ``(id, weight)`` pairs) drawn for ``seed``: stable, proportional to weights."""
    if not variants:
        return None
    total = sum(weight for _id, weight in variants)
    point = int(hashlib.sha1(seed.encode()).hexdigest(), 16) % total
    for variant_id, weight in sorted(variants):
        if point < weight:
            return variant_id
        point -= weight
    return None
