"""Text folding shared by the engines: what a person typed compared without accents."""

import unicodedata

# The Polish letter Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans({"ł": "l", "Ł": "L"})


def fold_accents(text):
    """``text`` without diacritics (``Zażółć`` -> ``Zazolc``), case and everything else kept."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_UNDECOMPOSED))
    return "".join(char for char in decomposed if not unicodedata.combining(char))
