"""19.0.1.0.1: the daily digest's body is the view ``ar_automation.ar_digest_mail_body`` (styled, with the
changes against yesterday and last month, links and today's exceptions). Its mail template is noupdate, so
the template of an existing database is pointed at the view here (a body edited by hand is replaced: the
old body would call values the digest no longer reads alone)."""

from odoo import SUPERUSER_ID, api

BODY = '<t t-call="ar_automation.ar_digest_mail_body"/>'


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    template = env.ref("ar_automation.mail_template_ar_digest", raise_if_not_found=False)
    if template:
        template.with_context(lang="en_US").body_html = BODY
        # The translations of the old body would shadow the new one.
        cr.execute(
            "UPDATE mail_template SET body_html = jsonb_build_object('en_US', %s) WHERE id = %s",
            (BODY, template.id),
        )
