"""CredibilityClient: the service's v1 resources as methods that return typed results."""
from __future__ import annotations

import logging
import re
import time
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from typing import Callable

from .problems import CredibilityError, Problem, TooLarge, ValidationFailed
from .results import Article, Assessment, BatchResult, ModelCard, SourcePage, SourceRecord
from .transport import RetryPolicy, Transport

log = logging.getLogger(__name__)

# The service's MAX_BATCH_ITEMS default; a smaller limit is learned from its 422.
DEFAULT_BATCH_SIZE = 100
# "A batch holds at most 100 items." in `detail`, "Longer than 100." in `errors["items"]`.
_LIMIT_TEXT = re.compile(r"(?:at most|longer than) (\d+)", re.IGNORECASE)
_END = object()


def _quote(identifier: str) -> str:
    return urllib.parse.quote(str(identifier), safe="")


class CredibilityClient:
    """A client of one credibility service.

    `api_key` is sent as X-API-Key on every request (verdicts need it; scoring needs it
    only where the service sets SCORING_REQUIRES_KEY) and is never logged or shown.
    429 and 503 answers and failed connections are retried as `retry` says, waiting as
    long as the answer's Retry-After asks; `sleep` is how the client waits (tests pass
    their own).
    """

    def __init__(self, base_url: str, api_key: str | None = None, timeout: float = 30.0,
                 retry: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep,
                 batch_size: int = DEFAULT_BATCH_SIZE):
        if batch_size < 1:
            raise ValueError("batch_size is at least 1")
        self._transport = Transport(base_url, api_key, timeout, retry or RetryPolicy(), sleep)
        self.batch_size = batch_size
        # The service's MAX_BATCH_ITEMS once a batch has been refused as too long.
        self.batch_limit: int | None = None

    def __repr__(self) -> str:
        return f"CredibilityClient({self._transport!r})"

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    def score(self, claim: str, source: Mapping | str, context: Mapping | None = None,
              desk: str | None = None) -> Assessment:
        """Score one claim. `source`: `{"id": ...}`, an inline description, or a name;
        `desk`: the desk to score it for (default: the key's desk, else the service's)."""
        answer = self._transport.request("POST", "/v1/assessments",
                                         assessment_request(claim, source, context, desk))
        return Assessment.from_json(answer.body)

    def score_many(self, items: Iterable[Mapping], batch_size: int | None = None
                   ) -> list[BatchResult]:
        """Score many requests (each the body of POST /v1/assessments), in their order.

        Each result holds its item's assessment or the problem the service found with
        that item. A failure of a whole batch request (a wrong key, the service down
        after every retry) is raised, with the results so far in the exception's
        `completed`.
        """
        results: list[BatchResult] = []
        try:
            for chunk in self.iter_batches(items, batch_size):
                results.extend(chunk)
        except CredibilityError as error:
            error.completed = results
            raise
        return results

    def iter_batches(self, items: Iterable[Mapping], batch_size: int | None = None
                     ) -> Iterator[list[BatchResult]]:
        """score_many, one list of results per batch request, as each one is answered.

        Starts with `batch_size` items a request (the client's own, 100 unless set) and
        shrinks to the service's limit when the service refuses a batch as too long (422
        naming its MAX_BATCH_ITEMS, remembered in `batch_limit` for later calls) or too
        large in bytes (413: halved for the rest of this call).
        """
        size = batch_size or self.batch_size
        if self.batch_limit is not None:
            size = min(size, self.batch_limit)
        remaining = iter(items)
        pending: list[Mapping] = []
        done, exhausted = 0, False
        while True:
            while not exhausted and len(pending) < size:
                item = next(remaining, _END)
                if item is _END:
                    exhausted = True
                elif not isinstance(item, Mapping):
                    raise TypeError(f"item {done + len(pending)} is a {type(item).__name__}, "
                                    "not a request mapping")
                else:
                    pending.append(item)
            if not pending:
                return
            chunk, size = self._send_batch(pending[:size], done, size)
            del pending[:len(chunk)]
            done += len(chunk)
            yield chunk

    def _send_batch(self, chunk: list[Mapping], offset: int, size: int
                    ) -> tuple[list[BatchResult], int]:
        """The results of a leading part of `chunk`, and the batch size to go on with."""
        while True:
            try:
                answer = self._transport.request("POST", "/v1/assessments/batch",
                                                 {"items": [dict(item) for item in chunk]})
            except ValidationFailed as error:
                limit = _batch_limit(error.problem)
                if limit is None or limit >= len(chunk):
                    raise
                log.info("the service takes at most %d items a batch", limit)
                self.batch_limit = size = limit
                chunk = chunk[:limit]
                continue
            except TooLarge as error:
                if len(chunk) == 1:  # one item alone is too large: that is its own problem
                    return [BatchResult(offset, error.status, problem=error.problem)], size
                size = len(chunk) // 2
                log.info("a batch of %d items is too large; trying %d", len(chunk), size)
                chunk = chunk[:size]
                continue
            return [_batch_result(offset + n, item)
                    for n, item in enumerate(answer.body["items"])], size

    def article(self, text: str, title: str | None = None, published_at: str | None = None,
                url: str | None = None, desk: str | None = None) -> Article:
        """A news report's attributed claims, each scored and stored."""
        body = {"text": text}
        for key, value in (("title", title), ("published_at", published_at), ("url", url),
                           ("desk", desk)):
            if value is not None:
                body[key] = value
        return Article.from_json(self._transport.request("POST", "/v1/articles", body).body)

    def stored_article(self, article_id: str) -> Article:
        """A stored article with its claims' assessments and any verdicts since."""
        answer = self._transport.request("GET", f"/v1/articles/{_quote(article_id)}")
        return Article.from_json(answer.body)

    def assessment(self, assessment_id: str) -> Assessment:
        """A stored assessment, as it was answered."""
        answer = self._transport.request("GET", f"/v1/assessments/{_quote(assessment_id)}")
        return Assessment.from_json(answer.body)

    def verdict(self, assessment_id: str, verdict: str, reviewer: str,
                evidence_url: str | None = None, notes: str | None = None) -> SourceRecord:
        """Record a fact-check verdict (needs a key); returns the source's updated record."""
        body = {"verdict": verdict, "reviewer": reviewer}
        if evidence_url is not None:
            body["evidence_url"] = evidence_url
        if notes is not None:
            body["notes"] = notes
        answer = self._transport.request(
            "POST", f"/v1/assessments/{_quote(assessment_id)}/verdict", body)
        return SourceRecord.from_json(answer.body)

    def sources(self, q: str | None = None, limit: int | None = None,
                offset: int | None = None) -> SourcePage:
        """Registered sources; `q` matches part of a name or alias."""
        answer = self._transport.request("GET", "/v1/sources",
                                         query={"q": q, "limit": limit, "offset": offset})
        return SourcePage([SourceRecord.from_json(item) for item in answer.body["items"]],
                          answer.body["total"])

    def source(self, source_id: str) -> SourceRecord:
        """One registered source with its track record and reliability."""
        answer = self._transport.request("GET", f"/v1/sources/{_quote(source_id)}")
        return SourceRecord.from_json(answer.body)

    def model(self) -> ModelCard:
        """The card of the model being served."""
        return ModelCard.from_json(self._transport.request("GET", "/v1/model").body)


def assessment_request(claim: str, source: Mapping | str, context: Mapping | None = None,
                       desk: str | None = None) -> dict:
    """The body of POST /v1/assessments; a bare string names the source."""
    body = {"claim": claim,
            "source": {"name": source} if isinstance(source, str) else dict(source)}
    if context:
        body["context"] = dict(context)
    if desk:
        body["desk"] = desk
    return body


def _batch_limit(problem: Problem) -> int | None:
    """The service's batch limit, when this 422 is the refusal of a batch as too long."""
    if "items" not in problem.errors:
        return None
    for text in (problem.detail, *problem.errors["items"]):
        found = _LIMIT_TEXT.search(text)
        if found:
            return int(found.group(1))
    return None


def _batch_result(index: int, item: dict) -> BatchResult:
    if "assessment" in item:
        return BatchResult(index, item.get("status", 201),
                           assessment=Assessment.from_json(item["assessment"]))
    problem = Problem.from_json(item.get("error") or {"status": item.get("status", 0)})
    return BatchResult(index, problem.status, problem=problem)
