"""The name search of the contract: an exact id, or a case-insensitive name substring.

One folding rule for every store: Unicode NFKC normalisation, then full
case folding (``str.casefold``), so "Été" finds "été" and "ÉTÉ", "STRASSE" finds
"Straße", and a decomposed "É" finds a composed one. The rule is not
locale-aware: the Turkish dotless "ı" is its own letter (it does not find
"i"), while "İ" folds to "i" plus a combining dot. SQL stores keep
``fold_name(video_name)`` in a column of its own and search it with the
folded needle, so they agree with the in-memory store by construction.
"""

from __future__ import annotations

import unicodedata


def fold_name(text: str) -> str:
    """``text`` as the search compares it.

    Case folding comes last, so a folded text has no upper-case ASCII letter
    left (NFKC may produce some: "㎆" is "MB"): SQLite's ``LIKE``, which
    ignores ASCII case only, then compares exactly like ``in`` does here.
    """
    return unicodedata.normalize("NFKC", text).casefold()


def matches_search(video_id: str, name: str, search: str) -> bool:
    """True when ``search`` is empty, equals the id, or occurs in the name (both folded)."""
    return not search or video_id == search or fold_name(search) in fold_name(name)
