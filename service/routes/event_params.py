"""What the event routes (``service.routes.events``) take and document: path and query parameters, the
responses of errors, the upload read from a request (a multipart ``file`` field or the file as the body),
a bad file's 422 with every bad row."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path, Query, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from matcher.errors import FileErrors, InvalidInput, MatcherError
from matcher.events.options import MAX_ROUNDS
from service.services.events import MEDIA_SUFFIX, event_name, upload_name

#: The 422 of a CSV without its required columns (``POST /events``'s documented example).
MISSING_COLUMNS = {"error": {
    "code": "invalid_file", "field": "name",
    "message": "2 bad row(s): line 1, column 'name': required column is missing; line 1, column 'country': "
               "required column is missing",
    "rows": [{"line": 1, "column": "name", "reason": "required column is missing"},
             {"line": 1, "column": "country", "reason": "required column is missing"}]}}

EventIdPath = Annotated[str, Path(min_length=1, max_length=64, description="The id returned by POST /events.")]
STAFF: dict[int | str, dict[str, Any]] = {401: {"description": "No API key"},
                                           403: {"description": "Not a staff or organiser key"}}
ERRORS: dict[int | str, dict[str, Any]] = {
    **STAFF, 404: {"description": "Unknown event id (or participant), or another organiser's event"},
    409: {"description": "The stored file no longer validates against the catalogue (after a restart)"},
    422: {"description": "Invalid parameter (field named)"}}


class UnsupportedMediaType(MatcherError):
    status = 415
    code = "unsupported_media_type"


def file_errors_response(exc: FileErrors) -> JSONResponse:
    """The one error shape, plus ``rows``: every bad row (not only the 20 the message names)."""
    rows = [{"line": e.line, "column": e.column, "reason": e.reason} for e in exc.errors]
    body = {"error": {"code": exc.code, "message": exc.message, "field": exc.field, "rows": rows}}
    return JSONResponse(body, status_code=exc.status)


async def read_upload(request: Request) -> tuple[bytes, str, str]:
    """(bytes, file name, event name) of a multipart ``file`` field (and ``name`` field), or of a raw CSV /
    XLSX / JSON body (the name then from the query's ``name``)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    title = event_name(request.query_params.get("name"))
    if media == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=20)
        try:
            given = form.get("name")
            if isinstance(given, str) and given.strip():
                title = event_name(given)
            part = form.get("file")
            if part is None:
                raise InvalidInput("send the participant file in the multipart field 'file'", field="file")
            if not isinstance(part, UploadFile):
                raise InvalidInput("the field 'file' must be a file (e.g. curl -F file=@participants.csv)",
                                   field="file")
            data = await part.read()
            name = upload_name(part.filename or "", part.content_type or "", data)
        finally:
            await form.close()
    elif media in MEDIA_SUFFIX or media.endswith("+json") or media == "application/octet-stream":
        data = await request.body()
        name = upload_name("", media, data)  # octet-stream: the format read from the content
    else:
        raise UnsupportedMediaType(f"unsupported content type {media or '(none)'!r}: send multipart/form-data "
                                   "with a 'file' field, or a JSON list, CSV or XLSX body")
    if not data.strip():
        raise InvalidInput("the participant file is empty", field="file", key="empty_file")
    return data, name, title


#: RFC 3339 date-time (what the spec's ``format: date-time`` says), years 1000-9998 (so that every slot of
#: the longest schedule, 20 rounds of 20 hours, is a date Python can write: year 9999 ends the calendar; and a
#: year has four digits); the server also takes ``2026-12-01T09:00``. A narrower range (1900-2999) made
#: generators drop nine generated date-times in ten (schemathesis' "filter too much" health check).
START_DOC = {"format": "date-time", "pattern": r"^([1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-"}
Rounds = Annotated[int | None, Query(ge=1, le=MAX_ROUNDS, description="Number of meeting rounds (default: the "
                                                                      "event's options, else 3)")]
SlotMinutes = Annotated[int | None, Query(ge=1, le=600, description="Length of a meeting in minutes (default: "
                                                                    "the event's options, else 20)")]
BreakMinutes = Annotated[int | None, Query(ge=0, le=600, description="Break between two meetings in minutes "
                                                                     "(default: the event's options, else 5)")]
Pauses = Annotated[list[str] | None, Query(max_length=5, description="Longer pauses as `after_round:minutes`, "
                                                                     "e.g. `3:60` (repeat for several; default: "
                                                                     "the event's options)",
                                           json_schema_extra={"items": {"type": "string",
                                                                        "pattern": r"^[0-9]{1,2}:[0-9]{1,3}$"}})]
Method = Annotated[Literal["auto", "lsa", "milp", "greedy"],
                   Query(description="auto: exact matching per round (lsa with two sides, milp otherwise); "
                                     "greedy: the baseline")]
IncludeExisting = Annotated[bool, Query(description="Also pair authorities already partnered")]
IncludeSameCountry = Annotated[bool, Query(description="Also pair participants of one country")]


def pauses_of(values: list[str] | None) -> list[tuple[int, int]] | None:
    """``3:60`` -> ``(3, 60)``: after which round, how many minutes (``InvalidInput`` on ``pauses``)."""
    if values is None:
        return None
    out = []
    for v in values:
        after, _, minutes = v.partition(":")
        if not (after.isdigit() and minutes.isdigit()):
            raise InvalidInput(f"pause {v!r} is not after_round:minutes, e.g. 3:60", field="pauses")
        out.append((int(after), int(minutes)))
    return out
