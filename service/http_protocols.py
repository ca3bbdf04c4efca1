"""uvicorn's HTTP protocols with its own error answers in the service's one error shape.

A request uvicorn cannot parse (a malformed request line or header, an invalid method, a header section
over h11's limit) never reaches the app: uvicorn answers it itself with a plain-text
``400 Invalid HTTP request received.``. These subclasses answer the same status with the JSON body every
other error has (``{"error": {"code": "bad_request", "message": …, "field": null}}``). ``twinmatch
serve`` passes them to uvicorn (``http=``); the rest of the protocols is uvicorn's.
"""

from __future__ import annotations

import asyncio
import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

try:  # uvicorn[standard] brings httptools; uvicorn alone falls back to h11, as its "auto" does
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools is a dependency
    HttpToolsProtocol = None  # type: ignore[assignment, misc]

from service.errors import error_payload

_CONTENT_TYPE = b"application/json"


def bad_request_body(msg: str) -> bytes:
    """The 400 body for uvicorn's message ``msg`` (ASCII: uvicorn's messages are, and json escapes)."""
    return json.dumps(error_payload("bad_request", msg.strip() or "Invalid HTTP request received.")).encode("ascii")


class JsonErrorsH11(H11Protocol):
    """uvicorn's h11 protocol (pure Python), JSON 400s."""

    def send_400_response(self, msg: str) -> None:
        body = bad_request_body(msg)
        headers = [(b"content-type", _CONTENT_TYPE), (b"content-length", str(len(body)).encode("ascii")),
                   (b"connection", b"close")]
        self.transport.write(self.conn.send(h11.Response(status_code=400, headers=headers, reason=b"Bad Request")))
        self.transport.write(self.conn.send(h11.Data(data=body)))
        self.transport.write(self.conn.send(h11.EndOfMessage()))
        self.transport.close()


#: What ``uvicorn.run(..., http=...)`` gets: httptools when importable (uvicorn's "auto" choice).
HTTP_PROTOCOL: type[asyncio.Protocol] = JsonErrorsH11
if HttpToolsProtocol is not None:

    class JsonErrorsHttpTools(HttpToolsProtocol):
        """uvicorn's httptools protocol (the default when httptools is installed), JSON 400s."""

        def send_400_response(self, msg: str) -> None:
            body = bad_request_body(msg)
            content = [b"HTTP/1.1 400 Bad Request\r\n"]
            for name, value in self.server_state.default_headers:
                content.extend([name, b": ", value, b"\r\n"])
            content.extend([b"content-type: " + _CONTENT_TYPE + b"\r\n",
                            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                            b"connection: close\r\n", b"\r\n", body])
            self.transport.write(b"".join(content))
            self.transport.close()

    HTTP_PROTOCOL = JsonErrorsHttpTools
