"""A Python client of the credibility service, and its command line (`python -m client`).

    from client import CredibilityClient

    service = CredibilityClient("http://127.0.0.1:8000", api_key=None)
    assessment = service.score("Since March 10 Kyiv has lost over 100 men and six tanks.",
                               {"name": "Federal Security Service", "type": "state_agency"},
                               {"party_to_event": True, "relayed_by": ["TASS"]})
    assessment.score, assessment.band, assessment.grade.code, assessment.factors[0].label

It speaks HTTP through the standard library (client/transport.py says why) and imports
nothing from `service/` or `model/`: an integrator needs only this folder (and tqdm for
`score-file`'s progress bar).
"""
from .api import CredibilityClient, assessment_request
from .problems import (CredibilityError, Forbidden, NotFound, Problem, ProblemError,
                       RateLimited, ServiceUnavailable, ServiceUnreachable, TooLarge,
                       Unauthorized, UnexpectedAnswer, ValidationFailed)
from .results import (Article, ArticleClaim, Assessment, BatchResult, Change, Factor, Grade, ModelCard, ModelRef,
                      Reliability, SourcePage, SourceRecord, TrackRecord)
from .transport import RetryPolicy
from .webhooks import verify_signature

__all__ = [
    "Article", "ArticleClaim", "Assessment", "BatchResult", "Change", "CredibilityClient", "CredibilityError", "Factor",
    "Forbidden", "Grade", "ModelCard", "ModelRef", "NotFound", "Problem", "ProblemError",
    "RateLimited", "Reliability", "RetryPolicy", "ServiceUnavailable", "ServiceUnreachable",
    "SourcePage", "SourceRecord", "TooLarge", "TrackRecord", "Unauthorized",
    "UnexpectedAnswer", "ValidationFailed", "assessment_request", "verify_signature",
]
