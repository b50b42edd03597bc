"""A minimal client for OpenAI-compatible chat-completions endpoints (vLLM, Ollama, llama.cpp, hosted APIs).

Stdlib `http.client` only: one POST per request, no SDK whose retries, logging or error messages we
would have to audit for the API key. The key lives in one private attribute and one request header;
every error text built from a server's answer is scrubbed of it, because some APIs echo the key
they rejected, and shown inert (control characters as escapes: an error body can carry terminal
codes). `timeout` bounds each whole request, not each socket read: a server dripping a byte a
second would otherwise hold a worker for ever; replies over `MAX_REPLY_BYTES` are refused. Transient failures (429, 5xx, timeouts,
dropped connections) are retried with exponential backoff and jitter, honouring `Retry-After`; waits and in-flight requests end at
once when the run is cancelled.
"""

from __future__ import annotations

import http.client
import json
import math
import random
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from reviewer.errors import Cancelled, JudgeError
from reviewer.textsafe import one_line

# Statuses worth another try: the request was fine, the server was busy or broken for a moment.
RETRYABLE_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
# What an error message may quote of a server's answer: enough to diagnose, never a whole page.
ERROR_EXCERPT = 300
# The largest answer read: a judge's reply is a few KB; a server sending hundreds of MB is broken or
# hostile, and its reply would be cached and stored.
MAX_REPLY_BYTES = 8 * 1024 * 1024


class _Transient(Exception):
    """One attempt failed in a way another attempt may not; internal to `ChatClient.complete`."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try: `attempts` in all, waits of `base` × 2^n seconds (jittered, at most `cap`).

    A server's `Retry-After` replaces the computed wait, up to `max_retry_after`, so a rate limit
    is waited out as asked but a bogus hour-long value cannot stall a run.
    """

    attempts: int = 4
    base: float = 1.0
    cap: float = 30.0
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("a retry policy needs at least one attempt")

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        return min(self.cap, self.base * 2**attempt) * random.uniform(0.5, 1.0)


@dataclass(frozen=True, slots=True)
class Completion:
    content: str | None
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for: delay-seconds (decimals accepted, as some servers send) or an HTTP date."""
    if not value or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _cut(sock: socket.socket) -> None:
    """End a request now: the blocked read or write returns at once."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _expire(expired: threading.Event, sockets: list[socket.socket]) -> None:
    expired.set()  # first: the reader that fails next must know why
    for sock in sockets:
        _cut(sock)


def _tokens(usage: Any, key: str) -> int:
    value = usage.get(key) if isinstance(usage, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


class ChatClient:
    """POSTs to `<base_url>/chat/completions` (OpenAI convention: the base URL ends in `/v1`); thread-safe."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None,
        *,
        timeout: float,
        retry: RetryPolicy,
        cancel: threading.Event,
    ):
        parts = urlsplit(base_url)
        try:
            port = parts.port
        except ValueError:
            port = -1
        if parts.scheme not in ("http", "https") or not parts.hostname or port == -1:
            raise JudgeError(f"base URL must be http:// or https:// with a host (and a valid port), not {base_url!r}")
        self._https = parts.scheme == "https"
        self._host, self._port = parts.hostname, port
        self._path = parts.path.rstrip("/") + "/chat/completions"
        if api_key and not (api_key.isascii() and api_key.isprintable()):
            # http.client would refuse it with an error quoting the whole header, key included.
            raise JudgeError("the API key has characters an HTTP header cannot carry (a line break or non-ASCII)")
        self.model = model
        self._key = api_key or None
        self.timeout = timeout
        self.retry = retry
        self.cancel = cancel
        self._json_mode = True  # dropped for good once the server refuses `response_format`
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()

    def __repr__(self) -> str:
        return f"ChatClient(model={self.model!r}, host={self._host!r})"

    def redact(self, text: str) -> str:
        return text.replace(self._key, "[api key]") if self._key else text

    def complete(self, messages: list[dict[str, str]]) -> Completion:
        """The assistant's reply, after up to `retry.attempts` tries; raises JudgeError or Cancelled."""
        attempt = 0
        while True:
            if self.cancel.is_set():
                raise Cancelled("cancelled")
            try:
                return self._post(messages)
            except _Transient as exc:
                attempt += 1
                if attempt == self.retry.attempts:
                    raise JudgeError(f"{exc} (gave up after {attempt} attempts)") from None
                if self.cancel.wait(self.retry.delay(attempt - 1, exc.retry_after)):
                    raise Cancelled("cancelled") from None

    def abort(self) -> None:
        """Cut every connection in flight, so cancelled workers stop now rather than at their timeout."""
        with self._lock:
            for sock in self._open:
                _cut(sock)

    def _post(self, messages: list[dict[str, str]]) -> Completion:
        json_mode = self._json_mode
        status, headers, data, latency = self._request(self._body(messages, json_mode))
        if json_mode and status in (400, 422):
            # Servers without JSON mode reject the field; ask once more without it and remember.
            status, headers, data, latency = self._request(self._body(messages, False))
            if status == 200:
                self._json_mode = False
        if status in RETRYABLE_STATUSES or status >= 500:
            raise _Transient(f"HTTP {status}{self._excerpt(data)}", retry_after_seconds(headers.get("retry-after")))
        if status != 200:
            raise JudgeError(f"HTTP {status}{self._excerpt(data)}")
        return self._completion(data, latency)

    def _body(self, messages: list[dict[str, str]], json_mode: bool) -> bytes:
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": 0}
        if json_mode:
            body["response_format"] = {"type": "json_object"}
        return json.dumps(body, ensure_ascii=False).encode("utf-8")

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "reviewer-judge"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        return headers

    def _request(self, body: bytes) -> tuple[int, dict[str, str], bytes, float]:
        """One POST: status, lower-cased headers, body, latency in ms; network trouble is `_Transient`."""
        factory = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        conn = factory(self._host, self._port, timeout=self.timeout)
        expired = threading.Event()
        sockets: list[socket.socket] = []  # the connection's own: http.client lets go of it once a reply will close
        deadline = threading.Timer(self.timeout, _expire, [expired, sockets])  # the whole request, however slowly bytes come
        deadline.daemon = True
        start = time.perf_counter()
        deadline.start()
        try:
            conn.connect()
            with self._lock:
                sockets.append(conn.sock)
                self._open.add(conn.sock)
            conn.request("POST", self._path, body=body, headers=self._headers())
            response = conn.getresponse()
            data = response.read(MAX_REPLY_BYTES + 1)
            if expired.is_set():  # the cut ends a read as if the reply were complete
                raise _Transient(f"no complete answer within {self.timeout:g} s")
            if len(data) > MAX_REPLY_BYTES:
                raise JudgeError(
                    f"the reply is larger than {MAX_REPLY_BYTES:,} bytes: refused (not read further, nothing stored)"
                )
            if response.length:  # fewer bytes than the server announced
                raise _Transient("connection failed: the reply was cut short")
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data, (time.perf_counter() - start) * 1000
        except (OSError, http.client.HTTPException) as exc:
            if self.cancel.is_set():
                raise Cancelled("cancelled") from None
            if isinstance(exc, TimeoutError) or expired.is_set():
                raise _Transient(f"no complete answer within {self.timeout:g} s") from None
            raise _Transient(self.redact(f"connection failed: {type(exc).__name__}: {exc}")) from None
        finally:
            deadline.cancel()
            with self._lock:
                self._open.difference_update(sockets)
            conn.close()

    def _excerpt(self, data: bytes) -> str:
        """The start of a server's answer for an error message: redacted before it is cut, so no key
        survives in part, and inert (escape codes shown, never sent to a terminal)."""
        text = one_line(self.redact(data[: ERROR_EXCERPT * 8].decode("utf-8", "replace")), ERROR_EXCERPT)
        return ": " + text if text else ""

    def _completion(self, data: bytes, latency: float) -> Completion:
        try:
            payload = json.loads(data)
            message = payload["choices"][0]["message"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise JudgeError(f"not a chat completion{self._excerpt(data)}") from None
        content = message.get("content") if isinstance(message, dict) else None
        usage = payload.get("usage")
        return Completion(
            content if isinstance(content, str) else None,
            _tokens(usage, "prompt_tokens"),
            _tokens(usage, "completion_tokens"),
            latency,
        )
