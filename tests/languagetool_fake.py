"""A small stand-in for a LanguageTool HTTP server, for tests.

It speaks the parts of LanguageTool's /v2 API that language-tool-python uses:
GET /v2/languages, POST /v2/check (form-encoded `text` and `language`) and
GET /v2/healthcheck. Matches come from `rules`: every occurrence of a rule's
`find` string in the posted text becomes one match, with offsets and lengths in
UTF-16 code units as the real server sends them. Any path can be given a canned
answer (status, content type, body) or a delay, to play a broken or slow server.

Run as a script (`python languagetool_fake.py PORT`) it serves on 127.0.0.1:PORT
with rules from the JSON in $FAKE_LT_RULES; tests use that behind a fake `java`.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LANGUAGES = [
    {"name": "English", "code": "en", "longCode": "en"},
    {"name": "English (US)", "code": "en", "longCode": "en-US"},
    {"name": "English (GB)", "code": "en", "longCode": "en-GB"},
    {"name": "German (Germany)", "code": "de", "longCode": "de-DE"},
]


def rule(
    find: str,
    replacements: list[str],
    *,
    rule_id: str = "FAKE_RULE",
    issue_type: str = "grammar",
    category: str = "GRAMMAR",
    message: str = "Fake grammar issue.",
) -> dict[str, object]:
    return {
        "find": find,
        "replacements": replacements,
        "id": rule_id,
        "issueType": issue_type,
        "category": category,
        "message": message,
    }


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def matches_for(text: str, rules: list[dict[str, object]]) -> list[dict[str, object]]:
    found = []
    for spec in rules:
        needle = str(spec["find"])
        start = text.find(needle)
        while needle and start >= 0:
            offset, length = utf16_len(text[:start]), utf16_len(needle)
            context_start = max(0, start - 10)
            context = text[context_start : start + len(needle) + 10]
            found.append(
                {
                    "message": spec["message"],
                    "shortMessage": "",
                    "replacements": [{"value": value} for value in spec["replacements"]],  # type: ignore[attr-defined]
                    "offset": offset,
                    "length": length,
                    "context": {"text": context, "offset": utf16_len(text[context_start:start]), "length": length},
                    "sentence": text,
                    "type": {"typeName": "Other"},
                    "rule": {
                        "id": spec["id"],
                        "description": "fake",
                        "issueType": spec["issueType"],
                        "category": {"id": spec["category"], "name": spec["category"]},
                    },
                    "ignoreForIncompleteSentence": False,
                    "contextForSureMatch": 0,
                }
            )
            start = text.find(needle, start + len(needle))
    return sorted(found, key=lambda m: int(m["offset"]))  # type: ignore[call-overload]


class FakeLanguageTool:
    """Serve in a thread on 127.0.0.1 (a free port); use as a context manager."""

    def __init__(
        self,
        rules: list[dict[str, object]] | None = None,
        canned: dict[str, tuple[int, str, str | bytes]] | None = None,
        delays: dict[str, float] | None = None,
        port: int = 0,
    ) -> None:
        self.rules = rules or []
        self.canned = canned or {}
        self.delays = delays or {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeLanguageTool:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, method: str, path: str, params: dict[str, str]) -> tuple[int, str, str | bytes]:
        self.requests.append((method, path, params))
        time.sleep(self.delays.get(path, 0.0))
        if path in self.canned:
            return self.canned[path]
        if path == "/v2/languages":
            return 200, "application/json", json.dumps(LANGUAGES)
        if path == "/v2/healthcheck":
            return 200, "text/plain", "OK"
        if path == "/v2/check" and "text" in params:
            body = {
                "software": {"name": "LanguageTool", "version": "6.8-fake", "apiVersion": 1},
                "language": {"name": "English (US)", "code": params.get("language", "en-US")},
                "matches": matches_for(params["text"], self.rules),
            }
            return 200, "application/json", json.dumps(body)
        return 404, "text/plain", f"Error: no such path {path}"


def _handler(fake: FakeLanguageTool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            self._reply(*fake.answer("GET", parts.path, _flat(parse_qs(parts.query))))

        def do_POST(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(size).decode("utf-8"), keep_blank_values=True)
            self._reply(*fake.answer("POST", urlsplit(self.path).path, _flat(form)))

        def _reply(self, status: int, content_type: str, body: str | bytes) -> None:
            data = body if isinstance(body, bytes) else body.encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (e.g. it timed out)
                pass

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def _flat(query: dict[str, list[str]]) -> dict[str, str]:
    return {key: values[-1] for key, values in query.items()}


if __name__ == "__main__":
    rules = json.loads(os.environ.get("FAKE_LT_RULES", "[]"))
    with FakeLanguageTool(rules, port=int(sys.argv[1])) as fake:
        marker = os.environ.get("FAKE_LT_STARTED")
        if marker:
            with open(marker, "a", encoding="utf-8") as fh:
                fh.write(fake.url + "\n")
        threading.Event().wait()
