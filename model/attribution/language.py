"""Which language a report is in, from its script and its commonest words.

Extraction rules are English; a report in another language gets no claims rather than
wrong ones. A text is English when English function words make up a fair share of its
words and more than any other listed language's do. Cyrillic is told apart as Ukrainian
by its own letters (і, ї, є, ґ), else Russian; other scripts get their own code. Measured
by ``training/article_report.py`` on the test reports and the foreign ones beside them.
"""
from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# The commonest short words of each language (function words, "said"-like verbs).
STOP_WORDS = {
    "en": "the of and to in a that is was for on with by it as at from had has have were be "
          "are his her its their they he she this not but said says after been which who an "
          "or will would also than more about",
    "de": "der die das und nicht ist mit den dem sich des auf für ein eine dass sie zu von hat "
          "wurde worden seien habe im am über teilte sagte unter",
    "fr": "le la les des et est dans que qui une du pour pas sur au avec ont été a un il elle "
          "aux ces par ne se",
    "es": "el la los las de que y en un una por con para del se ha han sido es dijo al lo su "
          "sus como",
    "it": "il lo gli della che e di un una per con sono ha del nella stati è dei delle al nel "
          "ai",
    "pt": "o os as que e de do da em um uma para com não foi ao dos das se na no",
    "pl": "i w z na się że nie do jest to o od przez zostali we oraz ze dwie",
    "nl": "de het een en van dat is op te in niet met zijn voor er ook werd",
}
_SETS = {code: frozenset(words.split()) for code, words in STOP_WORDS.items()}
# Below this share of English function words a text is not taken for English.
MIN_ENGLISH_SHARE = 0.12
_SCRIPTS = (
    ("uk", re.compile("[іїєґІЇЄҐ]")),
    ("ru", re.compile("[\u0400-\u04ff]")),
    ("ar", re.compile("[\u0600-\u06ff]")),
    ("he", re.compile("[\u0590-\u05ff]")),
    ("el", re.compile("[\u0370-\u03ff]")),
    ("zh", re.compile("[\u4e00-\u9fff]")),
    ("ja", re.compile("[\u3040-\u30ff]")),
    ("ko", re.compile("[\uac00-\ud7af]")),
)


def detect_language(text: str) -> str:
    """An ISO 639-1 code ("en", "ru", ...), or "und" when the text gives too little to tell."""
    words = _WORD.findall(text[:20_000].lower())
    if not words:
        return "und"
    letters = sum(len(w) for w in words)
    non_latin = sum(1 for w in words for c in w if c > "\u024f")
    if non_latin > letters / 2:
        sample = text[:20_000]
        if _SCRIPTS[1][1].search(sample):
            return "uk" if _SCRIPTS[0][1].search(sample) else "ru"
        for code, pattern in _SCRIPTS[2:]:
            if pattern.search(sample):
                return code
        return "und"
    shares = {code: sum(w in words_ for w in words) / len(words) for code, words_ in _SETS.items()}
    best = max(shares, key=shares.get)
    if best == "en" and shares["en"] >= MIN_ENGLISH_SHARE:
        return "en"
    return best if shares[best] >= MIN_ENGLISH_SHARE else "und"
