"""ar_automation's engine helpers, for this addon's engines, without importing Odoo.

ar_bank_psd2 depends on ar_automation, whose ``engine/text.py`` holds the one accent folding of the
repository. Under Odoo that module is ``odoo.addons.ar_automation.engine.text``, but importing it by that
name imports Odoo, which an engine must not (the engine tests and ``bench/matching_data.py`` load this
engine as a plain package). So the file is loaded by its path: ar_automation's folder beside this addon's
(one repository, one addons folder), else the folder Odoo loaded ar_automation from.
"""

import functools
import importlib.util
import re
import sys
from pathlib import Path


def _ar_automation_engine():
    beside = Path(__file__).resolve().parents[2] / "ar_automation" / "engine"
    if beside.is_dir():
        return beside
    package = sys.modules.get("odoo.addons.ar_automation")  # already loaded by Odoo: a dependency
    return Path(next(iter(package.__path__))) / "engine"


def _load(name):
    module_name = f"_ar_automation_engine_{name}"
    module = sys.modules.get(module_name)
    if module is None:
        spec = importlib.util.spec_from_file_location(module_name, _ar_automation_engine() / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    return module


fold_accents = _load("text").fold_accents


def fold_upper(text: str | None) -> str:
    """Upper-case ASCII of ``text``: accents (and ``ł``) dropped by :func:`fold_accents`, then whatever is not
    ASCII, so ``Zapłata`` and ``ZAPLATA`` compare equal. ASCII text (most bank titles) is only upper-cased."""
    text = text or ""
    if not text.isascii():
        text = _ascii_fold(text)
    return text.upper()


@functools.lru_cache(maxsize=16384)
def _ascii_fold(text: str) -> str:
    # Cached: the matching engine folds each title several times (references, VAT numbers, patterns).
    return fold_accents(text).encode("ascii", "ignore").decode()


def compact_upper(text: str | None) -> str:
    """:func:`fold_upper` without anything but letters and digits (``Żółw sp. z o.o.`` -> ``ZOLWSPZOO``)."""
    return re.sub(r"[^0-9A-Z]", "", fold_upper(text))
