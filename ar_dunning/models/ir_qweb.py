import uuid
from contextlib import contextmanager

from lxml import etree

from odoo import models

# Compiled inline templates, per sending batch (token): a mail template's body is an inline QWeb template
# that Odoo compiles again for every record it renders; a batch of reminders compiles it once.
_COMPILED = {}


class IrQweb(models.AbstractModel):
    _inherit = "ir.qweb"

    def _generate_code_uncached(self, template):
        token = self.env.context.get("ar_qweb_batch")
        if not token or token not in _COMPILED or not isinstance(template, etree._Element):
            return super()._generate_code_uncached(template)
        key = (
            etree.tostring(template),
            tuple(self.env.context.get(k) or False for k in self._get_template_cache_keys()),
        )
        compiled = _COMPILED[token]
        if key not in compiled:
            compiled[key] = super()._generate_code_uncached(template)
        return compiled[key]


@contextmanager
def compiled_once(records):
    """``records`` in a context where each inline QWeb template is compiled once, for the ``with`` block."""
    token = uuid.uuid4().hex
    _COMPILED[token] = {}
    try:
        yield records.with_context(ar_qweb_batch=token)
    finally:
        _COMPILED.pop(token, None)
