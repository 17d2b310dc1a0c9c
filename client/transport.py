"""Sending one request to the service: JSON in and out, retried with backoff when that helps.

Built on the standard library's `urllib.request`, not `requests`: the client sends
small JSON bodies, a few requests a second at most (a batch carries up to a hundred
claims), so connection pooling buys little, and an integrator can use the package
without adding an HTTP library to their own pins.
"""
from __future__ import annotations

import email.utils
import http.client
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Callable

from .problems import Problem, ServiceUnreachable, UnexpectedAnswer, problem_error

log = logging.getLogger(__name__)

KEY_HEADER = "X-API-Key"
USER_AGENT = "credibility-client/1"
# 429: over the allowance; 503: no model loaded yet, or a restart. Both pass with time.
RETRY_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to try again after a 429, a 503 or a failed connection.

    The n-th retry waits `backoff * 2 ** (n - 1)` seconds, at most `max_backoff`, unless
    the answer says `Retry-After`: then that long. A Retry-After over `max_wait` is not
    waited for; the problem is raised at once, since retrying earlier would only be refused.
    """

    tries: int = 4
    backoff: float = 0.5
    max_backoff: float = 30.0
    max_wait: float = 120.0

    def delay(self, retry: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        return min(self.backoff * 2 ** (retry - 1), self.max_backoff)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date (RFC 9110, 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass
class Answer:
    status: int
    body: object
    headers: dict[str, str]


class Transport:
    """JSON requests to one service; the API key goes in a header and nowhere else."""

    def __init__(self, base_url: str, api_key: str | None, timeout: float,
                 retry: RetryPolicy, sleep: Callable[[float], None]):
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.timeout = timeout
        self.retry = retry
        self.sleep = sleep

    def __repr__(self) -> str:
        return f"Transport({self.base_url!r}, api_key={'set' if self._api_key else None})"

    def url(self, path: str, query: dict | None = None) -> str:
        query = {name: value for name, value in (query or {}).items() if value is not None}
        tail = "?" + urllib.parse.urlencode(query) if query else ""
        return f"{self.base_url}{path}{tail}"

    def request(self, method: str, path: str, body=None, query: dict | None = None,
                retry: bool = True) -> Answer:
        """The decoded answer to a 2xx; else ProblemError (of the status's class)."""
        url = self.url(path, query)
        # UTF-8 rather than \u escapes: a Cyrillic claim is a third the bytes against MAX_CONTENT_LENGTH.
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        tries = self.retry.tries if retry else 1
        for attempt in range(1, tries + 1):
            try:
                status, headers, raw = self._send(method, url, data)
            except (urllib.error.URLError, ConnectionError, http.client.HTTPException) as error:
                # Refused, reset or dropped: repeating is safe (a repeated verdict replaces
                # the first; a repeated score only adds a row to the audit log).
                reason = getattr(error, "reason", error)
                if isinstance(reason, TimeoutError):
                    # The service may still be working on it; a second try doubles the load.
                    raise ServiceUnreachable(f"{method} {url}: timed out after "
                                             f"{self.timeout} s", attempt) from error
                if attempt == tries:
                    raise ServiceUnreachable(f"{method} {url}: {reason} "
                                             f"({attempt} tries)", attempt) from error
                wait = self.retry.delay(attempt, None)
                log.info("%s %s: %s; try %d of %d in %.1f s",
                         method, path, reason, attempt + 1, tries, wait)
                self.sleep(wait)
                continue
            except TimeoutError as error:
                raise ServiceUnreachable(f"{method} {url}: timed out after {self.timeout} s",
                                         attempt) from error
            if status < 400:
                return Answer(status, _decode(method, url, raw), headers)
            problem = Problem.from_response(status, raw)
            retry_after = retry_after_seconds(headers.get("retry-after"))
            failure = problem_error(problem, attempt, headers.get("x-request-id"), retry_after)
            if (status not in RETRY_STATUSES or attempt == tries
                    or (retry_after is not None and retry_after > self.retry.max_wait)):
                raise failure
            wait = self.retry.delay(attempt, retry_after)
            log.info("%s %s: %d %s; try %d of %d in %.1f s",
                     method, path, status, problem.title, attempt + 1, tries, wait)
            self.sleep(wait)
        raise AssertionError("unreachable: the last try returns or raises")

    def _send(self, method: str, url: str, data: bytes | None):
        headers = {"Accept": "application/json, application/problem+json",
                   "User-Agent": USER_AGENT}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self._api_key:
            headers[KEY_HEADER] = self._api_key
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, _lower(response.headers), response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, _lower(error.headers), error.read()


def _lower(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _decode(method: str, url: str, raw: bytes):
    try:
        return json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, ValueError) as error:
        raise UnexpectedAnswer(f"{method} {url}: the answer is not JSON "
                               f"({raw[:80]!r})") from error
