"""Log formatters: one JSON object per line in production, a readable line in development.

Every record made while a request is being served carries that request's id (``stamp_request_id``,
installed by apps.py; the id comes from middleware.py), so an error logged deep inside a view can be
matched with the request line. Only plain values from a record's ``extra`` are written: Django attaches
the request object to some records, and its text form would carry the query string, which may hold
personal data.
"""

import json
import logging
import os
import socket
from contextvars import ContextVar
from datetime import UTC, datetime

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)

HOSTNAME = socket.gethostname()
# Attributes every LogRecord has; anything else on a record came in through ``extra``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
_PLAIN = (str, int, float, bool, type(None))


def stamp_request_id(factory):
    """Wrap the log record factory: every record made while a request runs carries its id."""

    def make_record(*args, **kwargs):
        record = factory(*args, **kwargs)
        request_id = current_request_id.get()
        if request_id:
            record.request_id = request_id
        return record

    make_record.stamps_request_id = True
    return make_record


def _extras(record: logging.LogRecord) -> dict:
    return {
        key: value
        for key, value in vars(record).items()
        if key not in _STANDARD and not key.startswith("_") and isinstance(value, _PLAIN)
    }


class JsonFormatter(logging.Formatter):
    """``{"time": ..., "level": ..., "logger": ..., "message": ..., "pid": ..., "host": ..., ...}``"""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_extras(record))
        entry.setdefault("pid", os.getpid())
        entry.setdefault("host", HOSTNAME)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Readable in a terminal: ``12:00:01 INFO allmende.request GET /runden/ 200 12.3ms [request id]``"""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s", datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        extras = _extras(record)
        if record.name == "allmende.request":
            record.asctime = self.formatTime(record, self.datefmt)
            return (
                f"{record.asctime} {record.levelname} {record.name} {extras.get('method')} {extras.get('path')} "
                f"{extras.get('status')} {extras.get('duration_ms')}ms [{extras.get('request_id')}]"
            )
        line = super().format(record)
        request_id = extras.get("request_id")
        return f"{line} [{request_id}]" if request_id else line
