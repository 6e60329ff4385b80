"""Language guidance: find victim-blaming phrases in free text (pure; no database).

A match is a gentle warning with a suggested alternative, never a block. Matching ignores case,
treats any run of spaces as one space, matches whole words only (so "consensual" is not found in
"non-consensual" or "nonconsensual") and also catches a plural ("lifestyle choices").
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class PhraseRule:
    phrase: str
    suggestion: str
    explanation: str = ""


@dataclass(frozen=True)
class Match:
    phrase: str
    start: int
    end: int
    text: str  # as written
    suggestion: str
    explanation: str


@lru_cache(maxsize=512)
def _pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in phrase.split()]
    # Not inside a word or a hyphenated word on either side; an optional plural ending.
    return re.compile(r"(?<![\w-])" + r"\s+".join(words) + r"(?:s|es)?(?![\w-])", re.IGNORECASE)


def check_text(text: str, rules: Iterable[PhraseRule]) -> list[Match]:
    """Every match of every phrase, in the order they appear in the text."""
    if not text:
        return []
    found: list[Match] = []
    for rule in rules:
        if not rule.phrase.strip():
            continue
        for m in _pattern(rule.phrase.strip()).finditer(text):
            found.append(
                Match(
                    rule.phrase, m.start(), m.end(), m.group(0), rule.suggestion, rule.explanation
                )
            )
    found.sort(key=lambda m: (m.start, -m.end))
    return found
