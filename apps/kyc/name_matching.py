"""Sanctions and PEP name matching: normalization, blocking keys, fuzzy scores, tie-breakers.

Pure functions and an in-memory index, no database: the services feed it list entries (from the
``ScreeningToken`` inverted index) and the benchmark feeds it generated ones, through the same code.

1. Normalize: Unicode NFKD with accents removed, a few letters NFKD keeps (ø, ł, æ...) transliterated, case
   folded, apostrophes dropped ("O'Brien" -> "obrien"), other punctuation as spaces, tokens sorted (so word
   order does not matter: "SMITH, John" == "John Smith").
2. Block: each token of 3+ letters gives three keys, its first four letters, its last four letters and its
   consonant skeleton ("mohammed", "muhamad" -> "mhmd"). A token of the customer "meets" an entry when one of
   its keys is among the entry's keys. A customer is compared only with entries that at least two of its
   tokens meet (one, for a one-token name): a typo would have to hit both ends and a consonant of a token to
   hide it, and a common first name alone does not make a candidate.
3. Score the name 0-100 with rapidfuzz: the best over the entry's name and aliases of
   max(ratio of the sorted names, token_set_ratio - SUBSET_PENALTY) (the second catches a name missing a
   middle name, slightly discounted).
4. Tie-breakers: both dates of birth known and equal +5, different years -15; both countries known and equal +3,
   different -5.
5. A hit when the name score is at least ``name_floor`` and the final score at least ``threshold``.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

SUBSET_PENALTY = 8
DOB_SAME_BONUS = 5
DOB_DIFFERENT_YEAR_PENALTY = 15
COUNTRY_SAME_BONUS = 3
COUNTRY_DIFFERENT_PENALTY = 5
KEY_LENGTH = 4

_TRANSLITERATE = str.maketrans({"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "æ": "ae",
                                "Æ": "ae", "œ": "oe", "Œ": "oe", "\u0131": "i", "þ": "th", "Þ": "th", "ð": "d"})
_APOSTROPHES = re.compile("['`\u2019\u00b4]")  # ' ` right quote, acute accent
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalize_name(name: str) -> str:
    """"Zoë O'Brien-Müller" -> "muller obrien zoe": ASCII, lower case, no punctuation, tokens sorted."""
    text = unicodedata.normalize("NFKD", name.translate(_TRANSLITERATE))
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    text = _APOSTROPHES.sub("", text)
    return " ".join(sorted(_NOT_WORD.sub(" ", text).split()))


def blocking_keys(normalized: str) -> set[str]:
    tokens = normalized.split()
    long_tokens = [token for token in tokens if len(token) >= 3] or tokens
    keys = set()
    for token in long_tokens:
        keys.update(token_keys(token))
    return keys


_VOWELS = re.compile(r"[aeiouy]")
_REPEATS = re.compile(r"(.)\1+")


def token_keys(token: str) -> tuple[str, ...]:
    """First four letters, last four letters, and the consonant skeleton (first letter, then the consonants,
    repeats collapsed: "mohammed" and "muhamad" -> "mhmd"), which survives vowel typos and transliterations."""
    skeleton = _REPEATS.sub(r"\1", token[0] + _VOWELS.sub("", token[1:]))
    keys = (token[:KEY_LENGTH], "~" + token[-KEY_LENGTH:])
    return (*keys, "#" + skeleton) if len(skeleton) >= 3 else keys


def name_score(customer_name: str, entry_name: str, floor: float = 0) -> float:
    """0-100. Scores under ``floor`` may come back as 0 (rapidfuzz stops early): only use it to compare to it."""
    whole = fuzz.ratio(customer_name, entry_name, score_cutoff=floor)
    subset = fuzz.token_set_ratio(customer_name, entry_name, score_cutoff=floor + SUBSET_PENALTY) - SUBSET_PENALTY
    return max(whole, subset, 0)


@dataclass(frozen=True)
class ListedParty:
    entry_id: int
    normalized_names: tuple[str, ...]
    date_of_birth: datetime.date | None = None
    country: str = ""


@dataclass(frozen=True)
class Match:
    entry_id: int
    score: float
    name_score: float
    matched_name: str
    details: dict = field(default_factory=dict)


def tie_breakers(date_of_birth: datetime.date | None, country: str, party: ListedParty) -> dict[str, int]:
    adjustments = {}
    if date_of_birth and party.date_of_birth:
        if date_of_birth == party.date_of_birth:
            adjustments["date_of_birth_same"] = DOB_SAME_BONUS
        elif date_of_birth.year != party.date_of_birth.year:
            adjustments["date_of_birth_different_year"] = -DOB_DIFFERENT_YEAR_PENALTY
    if country and party.country:
        if country == party.country:
            adjustments["country_same"] = COUNTRY_SAME_BONUS
        else:
            adjustments["country_different"] = -COUNTRY_DIFFERENT_PENALTY
    return adjustments


def score_party(normalized: str, date_of_birth: datetime.date | None, country: str, party: ListedParty,
                name_floor: float = 0) -> Match:
    best_score, best_name = -1.0, ""
    for entry_name in party.normalized_names:
        score = name_score(normalized, entry_name, name_floor)
        if score > best_score:
            best_score, best_name = score, entry_name
    adjustments = tie_breakers(date_of_birth, country, party)
    final = max(0.0, min(100.0, best_score + sum(adjustments.values())))
    return Match(entry_id=party.entry_id, score=round(final, 2), name_score=round(best_score, 2),
                 matched_name=best_name, details={"tie_breakers": adjustments})


class ScreeningIndex:
    """An inverted index from blocking keys to listed parties; ``screen`` compares only with candidates."""

    def __init__(self, parties: Iterable[ListedParty] = ()) -> None:
        self.parties: dict[int, ListedParty] = {}
        self.by_key: dict[str, set[int]] = defaultdict(set)
        self.pairs_compared = 0
        for party in parties:
            self.add(party)

    def add(self, party: ListedParty, keys: Iterable[str] | None = None) -> None:
        self.parties[party.entry_id] = party
        if keys is None:
            keys = set().union(*(blocking_keys(name) for name in party.normalized_names))
        for key in keys:
            self.by_key[key].add(party.entry_id)

    def candidates(self, normalized: str) -> set[int]:
        """Entries met by at least two of the name's tokens (by one if the name has only one token)."""
        tokens = [token for token in normalized.split() if len(token) >= 3] or normalized.split()
        met_by = Counter()
        for token in dict.fromkeys(tokens):
            met_by.update(set().union(*(self.by_key.get(key, set()) for key in token_keys(token))))
        needed = min(2, len(set(tokens)))
        return {entry_id for entry_id, count in met_by.items() if count >= needed}

    def screen(self, name: str, *, date_of_birth: datetime.date | None = None, country: str = "",
               threshold: float, name_floor: float) -> list[Match]:
        normalized = normalize_name(name)
        matches = []
        for entry_id in self.candidates(normalized):
            self.pairs_compared += 1
            match = score_party(normalized, date_of_birth, country, self.parties[entry_id], name_floor)
            if match.name_score >= name_floor and match.score >= threshold:
                matches.append(match)
        return sorted(matches, key=lambda match: (-match.score, match.entry_id))
