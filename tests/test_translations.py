"""The addons ship complete Polish translations that keep every placeholder of their source terms.

Files only, no database: each addon's i18n/pl.po (written by bin/update-translations) parses, has no
untranslated or fuzzy entry, and each msgstr keeps the placeholders of its msgid: printf-style ``%s``,
``%(name)s`` and ``%%``, inline-template ``{{ … }}`` blocks, HTML tags and QWeb ``t-`` attributes.
New terms come out of bin/update-translations with an empty msgstr and fail here until translated.
"""

import re
from collections import Counter
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ["ar_automation", "ar_dunning", "ar_bank_psd2", "ar_portal"]

# %s, %d, %(name)s, %.2f, %% (no space flag: "50% discount" is text, not a conversion)
PRINTF = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0+-]?\d*(?:\.\d+)?(?P<conv>[sdifrxXeEgGc%])")
TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w.-]*)[^>]*?(/?)\s*>")
QWEB_ATTR = re.compile(r"""\bt-[\w-]+\s*=\s*(?:"[^"]*"|'[^']*')""")


def placeholders(text):
    """What a translation must keep of its source, as a comparable dict of multisets."""
    return {
        "printf": Counter(
            m.group("name") if m.group("name") is not None else "%" + m.group("conv")
            for m in PRINTF.finditer(text)
        ),
        "template": Counter(re.findall(r"\{\{|\}\}", text)),
        "tags": Counter(f"<{m.group(1)}{m.group(2).lower()}{m.group(3)}>" for m in TAG.finditer(text)),
        "qweb": Counter(QWEB_ATTR.findall(text)),
    }


def placeholder_problems(msgid, msgstr):
    """Differences between the placeholders of msgid and msgstr, as readable strings (empty: none)."""
    source, translation = placeholders(msgid), placeholders(msgstr)
    problems = []
    for kind in source:
        if source[kind] != translation[kind]:
            lost = sorted((source[kind] - translation[kind]).elements())
            added = sorted((translation[kind] - source[kind]).elements())
            problems.append(f"{kind}: lost {lost}, added {added}")
    return problems


def test_placeholder_check_catches_changes():
    assert not placeholder_problems("%(partner)s owes %s (100%%)", "%(partner)s jest winien %s (100%%)")
    assert placeholder_problems("%(partner)s owes", "%(partner_name)s jest winien")
    assert placeholder_problems("%s and %s", "%s i")
    assert placeholder_problems("50%% off", "50% taniej")
    assert not placeholder_problems("50% discount", "50% rabatu")
    assert placeholder_problems("{{ object.name }}: hi", "object.name: cześć")
    assert placeholder_problems("<strong>Due</strong> soon", "<b>Termin</b> wkrótce")
    assert placeholder_problems('<t t-out="object.name">X</t>', '<t t-out="object.display_name">X</t>')
    assert not placeholder_problems("<p t-if=\"a == 'b'\">Hi</p>", "<p t-if=\"a == 'b'\">Cześć</p>")


def _po(addon):
    path = ROOT / addon / "i18n" / "pl.po"
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing: run bin/update-translations"
    try:
        return polib.pofile(str(path))
    except (OSError, ValueError) as exc:
        pytest.fail(f"{path.relative_to(ROOT)} does not parse: {exc}")


@pytest.mark.parametrize("addon", ADDONS)
def test_polish_translation_is_complete(addon):
    po = _po(addon)
    entries = [entry for entry in po if not entry.obsolete]
    assert entries, f"{addon}/i18n/pl.po holds no term"
    untranslated = [entry.msgid for entry in entries if not entry.msgstr]
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    assert not untranslated, (
        f"{addon}/i18n/pl.po: {len(untranslated)} untranslated terms (translate their msgstr, see "
        f"bin/update-translations): {untranslated[:20]}"
    )
    assert not fuzzy, f"{addon}/i18n/pl.po: fuzzy entries (Odoo ignores them; review and unflag): {fuzzy}"


@pytest.mark.parametrize("addon", ADDONS)
def test_polish_translation_keeps_placeholders(addon):
    problems = []
    for entry in _po(addon):
        if entry.obsolete or not entry.msgstr:
            continue
        for problem in placeholder_problems(entry.msgid, entry.msgstr):
            problems.append(f"{entry.msgid[:80]!r}: {problem}")
    assert not problems, f"{addon}/i18n/pl.po:\n" + "\n".join(problems)


@pytest.mark.parametrize("addon", ADDONS)
def test_template_matches_translation(addon):
    """The template and the Polish file come from the same export: same terms."""
    pot_path = ROOT / addon / "i18n" / f"{addon}.pot"
    assert pot_path.is_file(), f"{pot_path.relative_to(ROOT)} is missing: run bin/update-translations"
    template = {(e.msgctxt, e.msgid) for e in polib.pofile(str(pot_path)) if not e.obsolete}
    polish = {(e.msgctxt, e.msgid) for e in _po(addon) if not e.obsolete}
    assert template == polish, (
        f"{addon}: {addon}.pot and pl.po hold different terms: run bin/update-translations "
        f"(only in the template: {sorted(t for _c, t in template - polish)[:10]}, "
        f"only in pl.po: {sorted(t for _c, t in polish - template)[:10]})"
    )


@pytest.mark.parametrize("addon", ADDONS)
def test_every_term_names_its_module(addon):
    """Odoo's reader needs '#. module: <addon>' on each term; without it loading Polish fails."""
    for path in (ROOT / addon / "i18n" / "pl.po", ROOT / addon / "i18n" / f"{addon}.pot"):
        missing = [
            entry.msgid[:60]
            for entry in polib.pofile(str(path))
            if not entry.obsolete and not re.match(r"modules?: \w+", entry.comment or "")
        ]
        assert not missing, f"{path.relative_to(ROOT)}: terms without '#. module: {addon}': {missing}"
