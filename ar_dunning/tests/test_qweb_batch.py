"""The fence around ``models/ir_qweb.py``, which overrides Odoo's private ``ir.qweb._generate_code_uncached``.

Rendering a batch of reminders compiles the mail template's inline body once instead of once per e-mail
(bench/bench_dunning.py, 3,000 invoices of 600 customers: the full run 9.1 s with the cache, 119 s
without). The override relies on the shape of Odoo's private method and on what makes two compilations
interchangeable; these tests fail when an Odoo update changes either, before a reminder goes out wrong.
"""

import inspect
from unittest.mock import patch

from odoo.tests import TransactionCase, tagged

from odoo.addons.base.models.ir_qweb import IrQweb as OdooIrQweb

from ..models.ir_qweb import _COMPILED, compiled_once

# An expression beyond a field path, so that mail renders it with QWeb (simple ones skip QWeb).
TEMPLATE = '<p>Hi <t t-out="object.name.title()"/>, <t t-if="object.ref">ref <t t-out="object.ref"/></t></p>'


@tagged("post_install", "-at_install")
class TestQwebBatch(TransactionCase):
    def test_odoo_s_private_methods_still_have_the_shape_the_override_relies_on(self):
        self.assertEqual(
            list(inspect.signature(OdooIrQweb._generate_code_uncached).parameters), ["self", "template"]
        )
        self.assertEqual(list(inspect.signature(OdooIrQweb._generate_code).parameters), ["self", "template"])
        keys = self.env["ir.qweb"]._get_template_cache_keys()
        self.assertTrue(keys and all(isinstance(key, str) for key in keys), keys)
        # The compiled result is (functions, name of the entry function, options), and nothing in it
        # belongs to one record: it is what the cache hands out again.
        functions, name, options = self.env["ir.qweb"]._generate_code_uncached(self._element())
        self.assertIn(name, functions)
        self.assertIsInstance(options, dict)

    def test_a_batch_compiles_an_inline_template_once_and_renders_what_odoo_renders(self):
        partners = self.env["res.partner"].create([{"name": "Alfa"}, {"name": "Beta", "ref": "B-2"}])
        Render = self.env["mail.render.mixin"]
        expected = Render._render_template_qweb(TEMPLATE, "res.partner", partners.ids)
        with self._counting_compilations() as generate:
            with compiled_once(partners) as batch:
                rendered = batch.env["mail.render.mixin"]._render_template_qweb(
                    TEMPLATE, "res.partner", partners.ids
                )
                self.assertEqual(len(_COMPILED[batch.env.context["ar_qweb_batch"]]), 1)
        self.assertEqual(rendered, expected)
        self.assertEqual(str(rendered[partners[1].id]), "<p>Hi Beta, ref B-2</p>")
        self.assertEqual(generate.call_count, 1, "one compilation for the batch")
        self.assertFalse(
            [token for token in _COMPILED if token], "the batch's compilations are dropped at its end"
        )

    def test_outside_a_batch_odoo_compiles_as_usual(self):
        partners = self.env["res.partner"].create([{"name": "Alfa"}, {"name": "Beta"}])
        with self._counting_compilations() as generate:
            self.env["mail.render.mixin"]._render_template_qweb(TEMPLATE, "res.partner", partners.ids)
        self.assertEqual(generate.call_count, 2)

    def _counting_compilations(self):
        """Odoo's own compilation, counted."""
        return patch.object(
            OdooIrQweb,
            "_generate_code_uncached",
            autospec=True,
            side_effect=OdooIrQweb._generate_code_uncached,
        )

    def _element(self):
        from lxml import html  # noqa: PLC0415

        return html.fragment_fromstring(TEMPLATE, create_parent="div")
