"""The service's failures as exceptions: RFC 9457 problem details, one class per status."""
from __future__ import annotations

import http
import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One problem document: the whole answer of a failed request, or one batch item's."""

    status: int
    title: str
    detail: str
    type: str = "about:blank"
    errors: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, body: dict) -> Problem:
        status = int(body.get("status") or 0)
        return cls(status=status, title=str(body.get("title") or _phrase(status)),
                   detail=str(body.get("detail") or body.get("title") or _phrase(status)),
                   type=str(body.get("type") or "about:blank"),
                   errors={str(path): [str(text) for text in texts]
                           for path, texts in (body.get("errors") or {}).items()})

    @classmethod
    def from_response(cls, status: int, body: bytes) -> Problem:
        """The problem a failed response carries; one made from its status when it has none."""
        try:
            parsed = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            parsed = None
        if isinstance(parsed, dict) and "status" in parsed:
            return cls.from_json(parsed)
        # A proxy's HTML page, say: keep a little of it, it is often the only clue.
        text = body.decode("utf-8", "replace").strip()[:200]
        return cls(status=status, title=_phrase(status), detail=text or _phrase(status))

    def as_json(self) -> dict:
        body = {"type": self.type, "title": self.title, "status": self.status,
                "detail": self.detail}
        if self.errors:
            body["errors"] = {path: list(texts) for path, texts in self.errors.items()}
        return body


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


class CredibilityError(Exception):
    """Anything that kept a request from getting its answer.

    Raised out of `score_many`, it carries the results of the batches before it in
    `completed`.
    """

    completed: list | None = None


class ServiceUnreachable(CredibilityError):
    """No connection to the service, after every try."""

    def __init__(self, message: str, attempts: int):
        super().__init__(message)
        self.attempts = attempts


class UnexpectedAnswer(CredibilityError):
    """A success status with a body that is not the JSON the contract promises."""


class ProblemError(CredibilityError):
    """The service answered with a problem: `status`, `title`, `detail`, `errors`."""

    def __init__(self, problem: Problem, attempts: int = 1, request_id: str | None = None):
        self.problem = problem
        self.attempts = attempts
        self.request_id = request_id
        super().__init__(str(self))

    status = property(lambda self: self.problem.status)
    title = property(lambda self: self.problem.title)
    detail = property(lambda self: self.problem.detail)
    errors = property(lambda self: self.problem.errors)
    type = property(lambda self: self.problem.type)

    def __str__(self) -> str:
        lines = [f"{self.status} {self.title}: {self.detail}"]
        lines += [f"  {path}: {' '.join(texts)}" for path, texts in self.errors.items()]
        return "\n".join(lines)


class Unauthorized(ProblemError):
    """401: the request needs an API key."""


class Forbidden(ProblemError):
    """403: the API key is wrong, or may not do this."""


class NotFound(ProblemError):
    """404: no assessment or source has this id."""


class TooLarge(ProblemError):
    """413: the body is over the service's MAX_CONTENT_LENGTH."""


class ValidationFailed(ProblemError):
    """422: the request did not validate; `errors` names the fields."""


class RateLimited(ProblemError):
    """429: over the allowance; `retry_after` says how long the service asked to wait."""

    def __init__(self, problem: Problem, attempts: int = 1, request_id: str | None = None,
                 retry_after: float | None = None):
        super().__init__(problem, attempts, request_id)
        self.retry_after = retry_after


class ServiceUnavailable(ProblemError):
    """503: no model is loaded, or the service is not ready."""


BY_STATUS: dict[int, type[ProblemError]] = {
    401: Unauthorized, 403: Forbidden, 404: NotFound, 413: TooLarge, 422: ValidationFailed,
    429: RateLimited, 503: ServiceUnavailable,
}


def problem_error(problem: Problem, attempts: int = 1, request_id: str | None = None,
                  retry_after: float | None = None) -> ProblemError:
    """The exception for a problem, of the class its status names."""
    kind = BY_STATUS.get(problem.status, ProblemError)
    if kind is RateLimited:
        return RateLimited(problem, attempts, request_id, retry_after)
    return kind(problem, attempts, request_id)
