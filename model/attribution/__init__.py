"""From a news report to its attributed claims: who said what, relayed by whom.

``extract(text)`` gives the report's language and, for an English report, its claims in
order (``Claim.as_dict()`` is the shape of an article's claim without its assessment).
No Flask here; ``service/articles.py`` scores and stores what this finds.
"""
from .extract import Claim, Extraction, extract
from .language import detect_language

__all__ = ["Claim", "Extraction", "extract", "detect_language"]
