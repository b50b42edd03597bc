"""A real chat-completions server on 127.0.0.1 with scripted replies, for the judge's tests and benchmark.

It speaks just enough of the OpenAI protocol (POST /v1/chat/completions, JSON in and out) for a
client to be exercised over real sockets: statuses, headers, delays and bodies come from a script,
and every request is recorded with its headers, arrival time and how many were in flight.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

USAGE = {"prompt_tokens": 120, "completion_tokens": 30}


def reply_json(**overrides: Any) -> str:
    """A valid judge reply as the model's text; keyword arguments replace or add keys."""
    value: dict[str, Any] = {
        "verdict": "clean", "categories": [], "intent": None, "markers": [], "evidence": [],
        "rationale": "Worked on the task as specified.", "confidence": 0.1,
    }  # fmt: skip
    value.update(overrides)
    return json.dumps(value)


@dataclass
class Reply:
    """One scripted answer: a completion whose message text is `content`, or a raw `body` with any status."""

    content: str | None = None
    status: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    usage: dict[str, int] = field(default_factory=lambda: dict(USAGE))

    def payload(self) -> bytes:
        if self.body is not None:
            return self.body
        message = {"role": "assistant", "content": self.content}
        return json.dumps({"id": "c1", "object": "chat.completion",
                           "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                           "usage": self.usage}).encode()  # fmt: skip


@dataclass(frozen=True)
class Request:
    raw: bytes
    headers: dict[str, str]
    path: str
    at: float

    @cached_property
    def body(self) -> dict[str, Any]:
        """Parsed on first use, so the server spends no time on bodies nobody looks at (the benchmark's)."""
        return json.loads(self.raw)

    @property
    def user_text(self) -> str:
        return next(m["content"] for m in self.body["messages"] if m["role"] == "user")


Script = Callable[[Request], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 drops connects in a burst of concurrent clients (a 1 s SYN retry each)


class ChatServer:
    """`with ChatServer(script) as server:` serves on a free port; `server.base_url` is what a client is given.

    `script` is a list of replies used in turn (the last one repeats) or a function of the request.
    `latency` is added to every reply.
    """

    def __init__(self, script: list[Reply] | Script, latency: float = 0.0):
        self._script = script
        self.latency = latency
        self.requests: list[Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def _next(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            if callable(self._script):
                return self._script(request)
            return self._script[min(len(self.requests), len(self._script)) - 1]

    def _done(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path != "/v1/chat/completions":
                    self.send_error(404)
                    return
                request = Request(raw, {k.lower(): v for k, v in self.headers.items()}, self.path, time.monotonic())
                reply = server._next(request)
                time.sleep(server.latency + reply.delay)
                server._done()  # before answering: once the client has the answer it may send the next request
                try:
                    data = reply.payload()
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (timeout, cancellation): nothing to answer
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def __enter__(self) -> ChatServer:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
