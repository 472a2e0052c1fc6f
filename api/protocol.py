"""The HTTP/1.1 protocol the server speaks: uvicorn's httptools parser, with a bound on heads.

httptools (the C parser of Node.js, llhttp) costs the server far less CPU per request than
h11, but unlike h11 it puts no limit on the request line and headers: a client could send a
header of gigabytes and the parser would keep it all in memory. :class:`BoundedHttpTools`
counts the bytes of each request's head as they arrive and answers
``431 Request Header Fields Too Large`` and closes the connection once they pass
:data:`MAX_HEAD_BYTES`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: The most bytes a request line and its headers may take together (h11's limit is 16 KiB;
#: this leaves room for long GET queries; longer ones are sent by POST).
MAX_HEAD_BYTES = 64 * 1024

_MESSAGE = (
    f"the request line and headers are larger than {MAX_HEAD_BYTES} bytes; send a long "
    "query by POST"
).encode()


class _HeadTooLargeError(Exception):
    """Raised inside the parser's callback to stop it; uvicorn reports it as a parser error."""


class BoundedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing a request head over :data:`MAX_HEAD_BYTES`.

    Two checks: a head still unfinished after a read is refused once the bytes read for it
    pass the limit, which bounds what the parser holds; a head that arrived whole in one read
    is measured when the parser has read it, before the application sees the request.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True
        self._head_bytes = 0
        self._refused = False

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        # The parser is fed first: one read may hold a whole head and the start of a large
        # body. A head still unfinished after it is refused, so the parser never holds more
        # than the limit and one read (at most 256 KiB) of it.
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._in_head and self._head_bytes > MAX_HEAD_BYTES:
            self._refuse()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True

    def on_headers_complete(self) -> None:
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > MAX_HEAD_BYTES:
            self._refuse()
            raise _HeadTooLargeError
        self._in_head = False
        self._head_bytes = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True

    def send_400_response(self, msg: str) -> None:
        if not self._refused:  # the parser error that follows a refusal has been answered
            super().send_400_response(msg)

    def _refuse(self) -> None:
        self._refused = True
        transport: asyncio.Transport = self.transport
        if transport.is_closing():
            return
        transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: text/plain; charset=utf-8\r\n"
            b"content-length: " + str(len(_MESSAGE)).encode() + b"\r\n"
            b"connection: close\r\n\r\n" + _MESSAGE
        )
        transport.close()
