"""JSON log lines carrying a request id; X-Request-ID is accepted or made, and echoed."""
from __future__ import annotations

import datetime
import json
import logging
import re
import uuid

from flask import g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_GOOD_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Extra attributes a log call may attach (logger.info(..., extra={...})) that we print.
_EXTRAS = ("request_id", "model_version", "method", "path", "status", "duration_ms",
           "remote_addr", "user_agent", "bytes")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.timezone.utc)
            .isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context() and "request_id" in g:
            line["request_id"] = g.request_id
        for name in _EXTRAS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def init_app(app) -> None:
    @app.before_request
    def _take_request_id():
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = offered if _GOOD_ID.fullmatch(offered) else uuid.uuid4().hex

    @app.after_request
    def _echo_request_id(response):
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
        return response


def gunicorn_logger_class():
    """gunicorn's Logger with JSON error lines and JSON access lines (no headers, no keys)."""
    from gunicorn.glogging import Logger

    class JsonLogger(Logger):
        def setup(self, cfg):
            super().setup(cfg)
            for handler in self.error_log.handlers:
                handler.setFormatter(JsonFormatter())
            for handler in self.access_log.handlers:
                handler.setFormatter(logging.Formatter("%(message)s"))
            # The app's own loggers write through the same JSON error stream.
            root = logging.getLogger()
            root.handlers = list(self.error_log.handlers)
            root.setLevel(self.error_log.level)

        def access(self, resp, req, environ, request_time):
            if not self.access_log_enabled:
                return
            headers = dict((name.lower(), value) for name, value in resp.headers)
            line = {
                "time": datetime.datetime.now(datetime.timezone.utc)
                .isoformat(timespec="milliseconds"),
                "level": "info", "logger": "gunicorn.access",
                "request_id": headers.get(REQUEST_ID_HEADER.lower()),
                "method": environ.get("REQUEST_METHOD"),
                "path": environ.get("PATH_INFO"),
                "status": getattr(resp, "status_code", None) or resp.status,
                "bytes": getattr(resp, "sent", None),
                "duration_ms": round(request_time.total_seconds() * 1000, 2),
                "remote_addr": environ.get("REMOTE_ADDR"),
                "user_agent": environ.get("HTTP_USER_AGENT"),
            }
            self.access_log.info(json.dumps(line, default=str))

    return JsonLogger
