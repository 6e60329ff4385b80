"""Name folding and phonetic keys for typo-tolerant search. Pure functions."""

import re
import unicodedata

import jellyfish

_SPLIT = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, accents removed: 'Zoë O'Neill' -> 'zoe o'neill'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def tokens(text: str) -> list[str]:
    """Name tokens; apostrophes join ('O'Neill' -> 'oneill'), hyphens split double barrels."""
    return [t for t in _SPLIT.split(fold(text).replace("'", "").replace("’", "")) if t]


def phonetic(token: str) -> str:
    """A sound-alike key: 'Kayden' and 'Kaiden' agree, as do 'Smith' and 'Smyth'."""
    return jellyfish.metaphone(token)[:20] if token else ""


def keys_for(names: list[str]) -> set[tuple[str, str]]:
    """(token, phonetic) pairs for every token of every name given."""
    return {(t[:100], phonetic(t)) for name in names for t in tokens(name)}
