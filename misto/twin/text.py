"""Search keys for Ukrainian names: apostrophes, Latin transliteration, typos.

Every name and address is stored with a *search key*: lower case, apostrophes of every
kind dropped, Cyrillic transliterated to Latin by the national table (Cabinet of Ministers
resolution No. 55 of 27.01.2010, "KMU 2010"), street-type words removed. A query goes
through the same function, so "вул. Лесі Українки", "Lesi Ukrainky" and "лесі українки"
meet on one key; typos are then forgiven by trigram similarity (:func:`similarity`).
No Django import here: the functions are pure and cheap.
"""

from __future__ import annotations

import re
import unicodedata

# KMU 2010: letters that have one form at the beginning of a word and another elsewhere.
_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_MEDIAL = {"є": "ie", "ї": "i", "й": "i", "ю": "iu", "я": "ia"}
_TABLE = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "",
    # Letters of Russian spelling that residents still type: folded to the nearest sound.
    "ы": "y", "э": "e", "ё": "io", "ъ": "",
}
# Apostrophe look-alikes residents type: ' ’ ʼ ` ‘ ′ and the modifier letter.
APOSTROPHES = "'\u2019\u02bc`\u2018\u2032\u02b9\u0060\u00b4"
_APOSTROPHE_RE = re.compile(f"[{re.escape(APOSTROPHES)}]")
_NON_WORD_RE = re.compile(r"[^0-9a-z]+")
# Street-type words (already transliterated), dropped from keys: "вул." and "vulytsia" alike.
STREET_TYPES = frozenset({
    "vulytsia", "vul", "vulytsa", "ulitsa", "ul", "prospekt", "prosp", "pr", "prt",
    "bulvar", "bul", "br", "provulok", "prov", "ploshcha", "pl", "shose", "uzviz",
    "naberezhna", "maidan", "proizd", "tupyk", "street", "str", "st", "avenue", "ave",
    "boulevard", "lane", "square", "sq",
})


def transliterate(text: str) -> str:
    """Ukrainian Cyrillic to Latin by the KMU 2010 table (lower case out)."""
    text = _APOSTROPHE_RE.sub("", text.lower())
    out: list[str] = []
    previous = ""
    for char in text:
        if char in _INITIAL:
            out.append(_INITIAL[char] if not previous.isalpha() else _MEDIAL[char])
        elif char == "г" and previous == "з":
            out.append("gh")  # "зг" is "zgh", so it does not read as "zh"
        elif char in _TABLE:
            out.append(_TABLE[char])
        else:
            out.append(char)
        previous = char
    # Latin letters with accents (a Polish or Czech spelling) lose them.
    folded = unicodedata.normalize("NFKD", "".join(out))
    return "".join(c for c in folded if not unicodedata.combining(c))


# A street's type in English, after its transliterated name ("Svobody Boulevard").
STREET_TYPES_EN = {"вулиця": "Street", "проспект": "Avenue", "бульвар": "Boulevard",
                   "провулок": "Lane", "площа": "Square", "набережна": "Embankment"}


def latin_name(text: str) -> str:
    """A Ukrainian name in Latin letters by the KMU 2010 table, each word keeping its capital
    ("Лесі Українки" -> "Lesi Ukrainky", "Квітки-Основ'яненка" -> "Kvitky-Osnovianenka")."""
    def word(part: str) -> str:
        latin = transliterate(part)
        return latin[:1].upper() + latin[1:] if part[:1].isupper() else latin

    return re.sub(r"[^\s\-]+", lambda match: word(match.group(0)), text)


def english_street_name(name: str, kind: str = "вулиця") -> str:
    """A street's English name when the city gave it none: the Ukrainian name transliterated
    and its type in English ("бульвар Свободи", "бульвар" -> "Svobody Boulevard")."""
    english = STREET_TYPES_EN.get(kind, "")
    words = [part for part in name.split() if part.lower() != kind] if english else [name]
    latin = latin_name(" ".join(words) or name)
    return f"{latin} {english}" if english else latin


def search_key(text: str, *, drop_street_types: bool = True) -> str:
    """The normalised key stored beside a name and computed from a query."""
    words = _NON_WORD_RE.sub(" ", transliterate(text)).split()
    if drop_street_types:
        kept = [word for word in words if word not in STREET_TYPES]
        words = kept or words
    return " ".join(words)


HOUSE_RE = re.compile(r"^\d+[a-z]{0,2}(?:/\d+[a-z]?)?$")


def split_house(key: str) -> tuple[str, str]:
    """Split a query key into (street part, house number): "shevchenka 12a" -> both."""
    words = key.split()
    if len(words) >= 2 and HOUSE_RE.match(words[-1]):
        return " ".join(words[:-1]), words[-1]
    if len(words) >= 2 and HOUSE_RE.match(words[0]):
        return " ".join(words[1:]), words[0]
    return key, ""


def house_key(house: str) -> str:
    """House numbers as keys: "12-А", "12а" and "12 a" all become "12a"."""
    return re.sub(r"[\s\-]+", "", transliterate(house))


def trigrams(key: str) -> set[str]:
    padded = f"  {key} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """Trigram similarity in [0, 1], the measure PostgreSQL's pg_trgm uses."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def street_score(query: str, candidate: str) -> float:
    """How well a query's street part matches a street key (1.0: same; 0: unrelated)."""
    if not query:
        return 0.0
    if candidate == query:
        return 1.0
    score = similarity(query, candidate)
    # Any word of the street starting with the query ("shevch") is a strong hint.
    if any(word.startswith(query) for word in candidate.split()) or candidate.startswith(query):
        score = max(score, 0.6 + 0.4 * len(query) / max(len(candidate), 1))
    else:
        # Compare word by word too: "ukrainky" against "lesi ukrainky".
        for word in candidate.split():
            score = max(score, similarity(query, word) * 0.9)
    return score


def normalise_number(text: str) -> str:
    """Landmark numbers as typed: "12 0457", "12–0457", " 12-0457 " -> "12-0457"."""
    cleaned = text.strip().upper()
    cleaned = re.sub(r"[\s\u2010-\u2015\u2212_/.]+", "-", cleaned)
    return cleaned.strip("-")
