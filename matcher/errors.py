"""The MatcherError hierarchy: every failure the core can report, each with a meaning and a status.

The service translates these to HTTP responses in one exception handler; the CLI translates them to
exit codes in one place. Core code never builds HTTP responses itself.
"""

from __future__ import annotations


class MatcherError(Exception):
    """Base class. ``status`` is the HTTP status the edge should use; ``code`` a stable machine code."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, *, field: str | None = None, key: str = "",
                 params: dict[str, str | int] | None = None, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: What the server log says in place of ``message`` (never sent to a client): e.g. which database
        #: could not be reached and the driver's reason, redacted (``matcher.paths.redact_db``).
        self.detail = detail
        self.field = field
        #: What went wrong, as a name an edge translates (``message`` is the English sentence); may be empty.
        self.key = key
        self.params = dict(params or {})

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class NotFound(MatcherError):
    status = 404
    code = "not_found"


class InvalidInput(MatcherError):
    """Input that fails validation (bad field value, bad file row)."""

    status = 422
    code = "invalid_input"


class BadRequest(MatcherError):
    status = 400
    code = "bad_request"


class Conflict(MatcherError):
    status = 409
    code = "conflict"


class Unauthorized(MatcherError):
    status = 401
    code = "unauthorized"


class Forbidden(MatcherError):
    status = 403
    code = "forbidden"


class PayloadTooLarge(MatcherError):
    status = 413
    code = "payload_too_large"


class DataBuildError(MatcherError):
    """A catalogue build input is missing or corrupt; previous data is left untouched."""

    status = 500
    code = "data_build_error"


class StoreUnavailable(MatcherError):
    """The database cannot be reached (a server restarting, a network cut): retry shortly. The store
    reconnects by itself on a later call. Its ``message`` is the same generic sentence for every cause
    (clients read it); which database and why is in ``detail``, for the server log."""

    MESSAGE = "the database is unavailable; retry shortly"

    status = 503
    code = "database_unavailable"


class ModelError(MatcherError):
    """A model artifact is missing, corrupt, or was saved with incompatible library versions."""

    status = 503
    code = "model_unavailable"


class RowError(InvalidInput):
    """One bad row of an input file: line number, column and reason. ``key`` names the problem (e.g.
    ``unknown_country``) and ``params`` its values, so that an edge can say it in its user's language;
    ``reason`` is the English sentence (the API's and the CLI's)."""

    code = "invalid_row"

    def __init__(self, line: int, column: str | None, reason: str, key: str = "",
                 params: dict[str, str | int] | None = None) -> None:
        where = f"line {line}" + (f", column {column!r}" if column else "")
        super().__init__(f"{where}: {reason}", field=column, key=key, params=params)
        self.line = line
        self.column = column
        self.reason = reason


class FileErrors(InvalidInput):
    """All bad rows of a file, reported together so the user fixes them in one pass."""

    code = "invalid_file"

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        lines = "; ".join(e.message for e in errors[:20])
        more = f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} bad row(s): {lines}{more}", field=errors[0].column if errors else None)
