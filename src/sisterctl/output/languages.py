"""The language of a city's local name, as a BCP 47 tag for HTML's `lang` attribute.

The registry records a city's local name (`臺北市`) and its country (TW), not the
language the name is written in. A page that shows the name should tag it, so that a
browser picks a font of the right style (Traditional Chinese, Japanese and Korean share
code points and differ in shape) and a screen reader reads it in the right voice. The
tag is derived only where the data leaves no doubt: the name is written wholly in the
script of its country's one national language (`zh-Hant` for Han in Taiwan, `ko` for
Hangul or Han in South Korea, `ru` for Cyrillic in Russia...). A country of several
languages in one script (Kazakhstan: Kazakh and Russian, both in Cyrillic), a script
that is not the country's (a Latin spelling of a Japanese city), or a country not
listed here gets no tag: the name then carries the page's language, as before, rather
than a guess.

Pure: no I/O.
"""

from __future__ import annotations

import unicodedata

# Country -> (language tag, scripts its local names are written in). A script is the
# first word of the Unicode names of its letters ("CJK", "HANGUL", "CYRILLIC").
_LANGUAGES: dict[str, tuple[str, frozenset[str]]] = {
    "TW": ("zh-Hant", frozenset({"CJK"})),
    "HK": ("zh-Hant", frozenset({"CJK"})),
    "MO": ("zh-Hant", frozenset({"CJK"})),
    "CN": ("zh-Hans", frozenset({"CJK"})),
    "JP": ("ja", frozenset({"CJK", "HIRAGANA", "KATAKANA"})),
    "KR": ("ko", frozenset({"HANGUL", "CJK"})),
    "KP": ("ko", frozenset({"HANGUL"})),
    "MN": ("mn", frozenset({"CYRILLIC"})),
    "RU": ("ru", frozenset({"CYRILLIC"})),
    "BG": ("bg", frozenset({"CYRILLIC"})),
    "UA": ("uk", frozenset({"CYRILLIC"})),
    "RS": ("sr", frozenset({"CYRILLIC"})),
    "MK": ("mk", frozenset({"CYRILLIC"})),
    "BY": ("be", frozenset({"CYRILLIC"})),
    "TH": ("th", frozenset({"THAI"})),
    "LA": ("lo", frozenset({"LAO"})),
    "KH": ("km", frozenset({"KHMER"})),
    "MM": ("my", frozenset({"MYANMAR"})),
    "GE": ("ka", frozenset({"GEORGIAN"})),
    "AM": ("hy", frozenset({"ARMENIAN"})),
    "GR": ("el", frozenset({"GREEK"})),
    "IL": ("he", frozenset({"HEBREW"})),
    "IR": ("fa", frozenset({"ARABIC"})),
    "SA": ("ar", frozenset({"ARABIC"})),
    "EG": ("ar", frozenset({"ARABIC"})),
    "AE": ("ar", frozenset({"ARABIC"})),
    "JO": ("ar", frozenset({"ARABIC"})),
    "VN": ("vi", frozenset({"LATIN"})),
    "CZ": ("cs", frozenset({"LATIN"})),
    "PL": ("pl", frozenset({"LATIN"})),
    "IT": ("it", frozenset({"LATIN"})),
    "FR": ("fr", frozenset({"LATIN"})),
    "DE": ("de", frozenset({"LATIN"})),
    "AT": ("de", frozenset({"LATIN"})),
    "ES": ("es", frozenset({"LATIN"})),
    "PT": ("pt", frozenset({"LATIN"})),
    "BR": ("pt", frozenset({"LATIN"})),
    "MX": ("es", frozenset({"LATIN"})),
    "NL": ("nl", frozenset({"LATIN"})),
    "SE": ("sv", frozenset({"LATIN"})),
    "DK": ("da", frozenset({"LATIN"})),
    "HU": ("hu", frozenset({"LATIN"})),
    "LT": ("lt", frozenset({"LATIN"})),
    "TR": ("tr", frozenset({"LATIN"})),
}

# Characters that belong to no one script: spaces, hyphens, apostrophes, digits, the
# middle dot and the iteration marks of Chinese and Japanese (々, 〇).
_NEUTRAL_CATEGORIES = ("Z", "P", "N", "S", "M")


def _script(ch: str) -> str | None:
    if unicodedata.category(ch)[0] in _NEUTRAL_CATEGORIES or ch in "々〆ー":
        return None
    name = unicodedata.name(ch, "")
    if name.startswith("CJK") or name.startswith("IDEOGRAPHIC"):
        return "CJK"
    return name.split(" ", 1)[0] or "?"


def local_language(text: str | None, country: str) -> str | None:
    """The BCP 47 tag of a local name written in its country's national script, or
    None where the data does not say (see the module's docstring)."""
    if not text:
        return None
    found = _LANGUAGES.get(country.upper())
    if found is None:
        return None
    tag, scripts = found
    seen = {s for s in map(_script, text) if s is not None}
    if not seen or not seen <= scripts:
        return None
    return tag
