"""A real HTTP receiver for the webhook tests, on loopback in a thread. It checks each request's
signature the way the README tells the platform to, keeps what it received, and answers with the
statuses it is told to (then 200)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.helpers import POLL_SECONDS

TOLERANCE_SECONDS = 300
# Where the receiver listens; the tests' settings allow this internal host (WEBHOOK_ALLOWED_INTERNAL_HOSTS).
WEBHOOK_RECEIVER_HOST = "127.0.0.1"


def verify(secret: str, headers, body: bytes) -> bool:
    """The README's example for receivers: signed "<timestamp>.<body>", timestamp recent."""
    timestamp = headers.get("X-PEDT-Timestamp", "")
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    recent = timestamp.isdigit() and abs(time.time() - int(timestamp)) <= TOLERANCE_SECONDS
    return recent and hmac.compare_digest(expected, headers.get("X-PEDT-Signature", ""))


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    signature_valid: bool
    at: float  # time.monotonic() when it arrived

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


class Receiver:
    def __init__(self, secret: str = "", statuses: tuple[int, ...] = (), error_body: str = "erreur"):
        self.secret = secret
        self.statuses = list(statuses)
        self.error_body = error_body
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((WEBHOOK_RECEIVER_HOST, 0), self._handler())
        self.port = self._server.server_port
        self.url = f"http://{WEBHOOK_RECEIVER_HOST}:{self.port}/pedt-hook"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, seconds: float = 60) -> list[Received]:
        deadline = time.monotonic() + seconds
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"received {len(self.received)} of {count} requests"
            time.sleep(POLL_SECONDS)
        return self.received

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                valid = verify(receiver.secret, self.headers, body)
                with receiver._lock:
                    receiver.received.append(Received(dict(self.headers), body, valid, time.monotonic()))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                if not valid:
                    status = 401
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.end_headers()
                self.wfile.write("reçu".encode() if status < 300 else f"{receiver.error_body} {status}".encode())

            def log_message(self, *args):
                pass

        return Handler
