"""Text read back from a PDF the way a customer's viewer shows it (poppler's ``pdftotext``)."""

import shutil
import subprocess


def pdf_text(pdf_bytes):
    """The text of ``pdf_bytes`` in reading order; fails (never skips) when pdftotext is missing:
    ``bin/setup`` installs it (poppler-utils)."""
    binary = shutil.which("pdftotext")
    if not binary:
        raise AssertionError("pdftotext is missing: run bin/setup (installs poppler-utils)")
    assert pdf_bytes.startswith(b"%PDF"), "not a PDF (was the report rendered as HTML?)"
    result = subprocess.run(
        [binary, "-layout", "-", "-"], input=pdf_bytes, capture_output=True, check=True, timeout=60
    )
    return result.stdout.decode()


def render_pdf(env, report_ref, res_ids, data=None):
    """A real PDF of the report (tests otherwise get HTML from ``_render_qweb_pdf``)."""
    content, _kind = (
        env["ir.actions.report"]
        .with_context(force_report_rendering=True)
        ._render_qweb_pdf(report_ref, res_ids, data=data)
    )
    return content
