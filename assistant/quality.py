"""Optional quality passes for `polite rewrite`: readability (--stats) and grammar (--grammar).

textstat and language-tool-python are imported inside the functions that use
them, never when this module is imported, and commands.rewrite imports this
module only for --stats or --grammar: `polite check` and a plain `polite
rewrite` load neither (tests/test_quality.py checks it).

Grammar (see docs/grammar.md):

- Server: the `url` argument (--languagetool-url or `languagetool_url` in the
  config), else $POLITE_LANGUAGETOOL_URL, else a local LanguageTool that
  language-tool-python has already downloaded (found without downloading
  anything), else none: a note says how to get one and the text is unchanged.
- The whole rewritten text is checked (LanguageTool needs the context), through
  language-tool-python's own client. Its HTTP timeout is fixed at 300 s and
  `check` retries once, so the client runs in a daemon thread with one overall
  deadline ($POLITE_LANGUAGETOOL_TIMEOUT, default 10 s); every failure of the
  library or the server becomes a one-line note, never an exception.
- Suggestions (the first replacement of each match) are applied only inside
  the sentences the rewrite changed: sentences holding new wording (an edit
  with a non-empty `after`) and sentences a deletion cut into (part of the
  sentence was dropped, the rest kept). Dropping whole sentences changes none of
  the sentences around them, so they stay as the writer wrote them. Spelling
  matches are reported, not applied: the only new words in a changed sentence are
  template wording and profile values (names, topics), which a spell checker
  would "correct". Everything else is reported with the reason it was not applied.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from bisect import bisect_right

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .document import Document
    from .rewrite import Edit

URL_ENV = "POLITE_LANGUAGETOOL_URL"
LANGUAGE_ENV = "POLITE_LANGUAGETOOL_LANGUAGE"
TIMEOUT_ENV = "POLITE_LANGUAGETOOL_TIMEOUT"
DEFAULT_LANGUAGE = "en-US"
DEFAULT_TIMEOUT = 10.0
# Starting a local LanguageTool (a Java server) takes seconds before the first check;
# language-tool-python itself waits up to 15 s for it to answer its health check.
LOCAL_STARTUP_SECONDS = 30.0

HOW_TO_ENABLE = (
    "To check grammar, run a LanguageTool server (e.g. `docker run -p 8010:8010 erikvl87/languagetool`, "
    "or `java -cp languagetool-server.jar org.languagetool.server.HTTPServer --port 8081`) and pass "
    "--languagetool-url http://localhost:8081, or set POLITE_LANGUAGETOOL_URL or `languagetool_url` in the config."
)


# ---------------------------------------------------------------- readability
def readability(text: str) -> dict[str, float] | None:
    """Flesch reading ease and Flesch-Kincaid grade level of `text`, or None when
    textstat cannot be loaded or fails, or the text has no words to measure."""
    if not any(ch.isalnum() for ch in text):
        return None
    try:
        import textstat

        ease = float(textstat.flesch_reading_ease(text))
        grade = float(textstat.flesch_kincaid_grade(text))
    except Exception:  # noqa: BLE001 - optional extra: any failure (missing package or data) means "no numbers"
        return None
    if not (math.isfinite(ease) and math.isfinite(grade)):
        return None
    return {"flesch_reading_ease": round(ease, 2), "grade_level": round(grade, 2)}


# -------------------------------------------------------------------- grammar
class GrammarSkipped(Exception):
    """Grammar checking could not run; `status` is "unavailable" or "error"."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Server:
    """Where the check runs: a URL the user named, or a local LanguageTool version."""

    __slots__ = ("source", "url", "version")

    def __init__(self, source: str, url: str | None = None, version: str | None = None) -> None:
        self.source = source  # "argument", "environment" or "local"
        self.url = url
        self.version = version

    def describe(self) -> str:
        if self.url is not None:
            return f"the LanguageTool server at {self.url}"
        return f"the local LanguageTool {self.version}"


def grammar_pass(original: str, rewritten: str, edits: list[Edit], url: str | None) -> tuple[str, dict[str, object]]:
    """Check `rewritten` with LanguageTool and apply its suggestions inside the
    sentences the rewrite changed; report the rest. Never raises: when no server
    is available or it fails, one note goes to standard error and the text comes
    back unchanged. The dict is the "grammar" object of `--format json`."""
    language = os.environ.get(LANGUAGE_ENV, "").strip() or DEFAULT_LANGUAGE
    info: dict[str, object] = {
        "status": "applied",
        "server": None,
        "source": None,
        "language": language,
        "applied": [],
        "reported": [],
        "note": None,
    }
    try:
        server = choose_server(url)
        info["server"] = server.url
        info["source"] = server.source
        matches = check_text(server, rewritten, language, timeout_seconds()) if rewritten.strip() else []
    except GrammarSkipped as skipped:
        info["status"] = skipped.status
        info["note"] = _skip_note(skipped, info)
        print(f"polite: {info['note']}", file=sys.stderr)
        return rewritten, info
    regions = changed_regions(original, rewritten, edits)
    final, applied, reported = apply_inside(rewritten, matches, regions)
    info["applied"], info["reported"] = applied, reported
    if applied or reported:
        info["note"] = _summary(applied, reported)
        print(f"polite: {info['note']}", file=sys.stderr)
    return final, info


def _skip_note(skipped: GrammarSkipped, info: dict[str, object]) -> str:
    note = f"grammar check skipped: {skipped.reason}; the text is left as rewritten."
    if skipped.status == "error" and info["server"] is not None:
        probe = client_base_url(str(info["server"])) + "v2/languages"
        return f"{note} Check that the server is running and answers {probe}. {HOW_TO_ENABLE}"
    return f"{note} {HOW_TO_ENABLE}"


def _summary(applied: list[dict[str, object]], reported: list[dict[str, object]]) -> str:
    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return (
        f"grammar: applied {count(len(applied), 'LanguageTool fix')} in the rewritten sentences; "
        f"{count(len(reported), 'other issue')} left as written (details in --format json)."
    )


# ------------------------------------------------------------ server choice
def choose_server(url: str | None) -> Server:
    """The server named by `url`, else by $POLITE_LANGUAGETOOL_URL, else a local
    LanguageTool that is already downloaded; GrammarSkipped when there is none."""
    for source, value in (("argument", url), ("environment", os.environ.get(URL_ENV))):
        if value and value.strip():
            return Server(source, url=_valid_url(value.strip()))
    version = find_local_languagetool()
    if version is not None:
        return Server("local", version=version)
    raise GrammarSkipped(
        "unavailable", "no LanguageTool server is set and language-tool-python has no local LanguageTool downloaded"
    )


def _valid_url(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GrammarSkipped("error", f"the LanguageTool URL {url!r} is not an http(s) address")
    return parts.geturl().rstrip("/")


def client_base_url(url: str) -> str:
    """The base language-tool-python expects: it joins "v2/" onto it, so the URL must
    end with "/" and not name /v2 itself (".../v2/" would become ".../v2/v2/")."""
    base = url.rstrip("/")
    if base.endswith("/v2"):
        base = base[: -len("/v2")]
    return base + "/"


def language_tool_folder() -> str:
    """Where language-tool-python keeps downloaded LanguageTools (its
    utils.get_language_tool_download_path, without creating the folder)."""
    return os.environ.get("LTP_PATH", os.path.join(os.path.expanduser("~"), ".cache", "language_tool_python"))


def find_local_languagetool() -> str | None:
    """The newest LanguageTool version language-tool-python has already downloaded
    and can start (its jar is there and Java is on PATH), or None. Never downloads:
    language-tool-python only downloads a version missing from this same list."""
    import glob
    import shutil

    folder = language_tool_folder()
    if not glob.glob(os.path.join(glob.escape(folder), "LanguageTool*")) or shutil.which("java") is None:
        return None
    try:
        from language_tool_python.download_lt import LocalLanguageTool

        usable = []
        for candidate in LocalLanguageTool.get_installed_versions():
            try:
                candidate.get_jar_path()
            except (FileNotFoundError, OSError):
                continue
            usable.append(candidate)
        return str(max(usable).version_name) if usable else None
    except Exception:  # noqa: BLE001 - a broken install or library means "no local LanguageTool"
        return None


def timeout_seconds() -> float:
    raw = os.environ.get(TIMEOUT_ENV, "")
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if math.isfinite(value) and value > 0 else DEFAULT_TIMEOUT


# ------------------------------------------------------------------ checking
class Match:
    """One LanguageTool match, validated, with offsets in Python code points."""

    __slots__ = ("category", "end", "issue_type", "message", "replacements", "rule", "start")

    def __init__(
        self, start: int, end: int, *, rule: str, category: str, issue_type: str, message: str, replacements: list[str]
    ) -> None:
        self.start = start
        self.end = end
        self.rule = rule
        self.category = category
        self.issue_type = issue_type
        self.message = message
        self.replacements = replacements


class BadAnswer(Exception):
    """The server answered JSON that is not a usable LanguageTool result."""


def check_text(server: Server, text: str, language: str, timeout: float) -> list[Match]:
    """LanguageTool's matches for `text`, within one overall deadline."""
    deadline = timeout + (LOCAL_STARTUP_SECONDS if server.url is None else 0.0)
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["matches"] = _library_check(server, text, language, timeout)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread, which reports it
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="polite-languagetool", daemon=True)
    worker.start()
    worker.join(deadline)
    if worker.is_alive():
        # The daemon thread is abandoned; it cannot keep the process alive.
        reason = f"did not answer within {deadline:g} s ({TIMEOUT_ENV} sets the limit)"
        raise GrammarSkipped("error", f"{server.describe()} {reason}")
    error = outcome.get("error")
    if isinstance(error, GrammarSkipped):
        raise error
    if error is not None:
        raise GrammarSkipped("error", f"{server.describe()} {failure_reason(error, language, deadline)}")
    try:
        return [_validated(m, text) for m in outcome["matches"]]
    except (BadAnswer, AttributeError, TypeError, ValueError) as exc:
        raise GrammarSkipped("error", f"{server.describe()} {failure_reason(exc, language, deadline)}") from None


def _library_check(server: Server, text: str, language: str, timeout: float) -> list[Any]:
    """Run language-tool-python's client: it asks /v2/languages on start-up (to
    normalise the language), then POSTs the text to /v2/check."""
    try:
        import language_tool_python
    except ImportError as exc:
        reason = "language-tool-python is not installed (pip install language-tool-python)"
        raise GrammarSkipped("unavailable", reason) from exc
    # Its requests use the class attribute _TIMEOUT (300 s); a subclass shortens it so
    # an abandoned worker thread also ends soon.
    client = type("PoliteLanguageTool", (language_tool_python.LanguageTool,), {"_TIMEOUT": timeout})
    if server.url is not None:
        tool = client(language, remote_server=client_base_url(server.url), host="127.0.0.1")
    else:
        tool = client(language, language_tool_download_version=server.version)
    try:
        return list(tool.check(text))
    finally:
        tool.close()


def failure_reason(exc: BaseException, language: str, timeout: float) -> str:
    """What went wrong, in words, from whatever language-tool-python raised."""
    import json

    try:
        import requests
    except ImportError:
        return f"failed ({type(exc).__name__}: {_snippet(str(exc))})"
    chain: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and cause not in chain:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    for error in chain:
        if isinstance(error, requests.exceptions.Timeout):
            return f"did not answer within {timeout:g} s ({TIMEOUT_ENV} sets the limit)"
        if isinstance(error, requests.exceptions.ConnectionError):
            return "could not be reached (connection failed)"
        if isinstance(error, json.JSONDecodeError):
            return f"answered something that is not JSON ({_snippet(str(exc))})"
    if type(exc).__name__ == "RateLimitError":
        return "refused the request (rate limit)"
    if isinstance(exc, ValueError) and "unsupported language" in str(exc):
        return f"does not support the language {language!r} (set {LANGUAGE_ENV})"
    if isinstance(exc, BadAnswer):
        return f"answered JSON that is not a LanguageTool result ({exc})"
    if isinstance(exc, (KeyError, IndexError, TypeError, AttributeError, ValueError)):
        return "answered JSON that is not a LanguageTool /v2 result"
    return f"failed ({type(exc).__name__}: {_snippet(str(exc))})"


def _snippet(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split()) or "empty answer"
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _validated(match: Any, text: str) -> Match:
    """A library Match checked against `text`. Its offset is already in code points
    (the library corrects for characters outside the BMP), its length is not."""
    start, length, replacements = match.offset, match.error_length, match.replacements
    if not (isinstance(start, int) and isinstance(length, int)) or isinstance(start, bool) or length < 0:
        raise BadAnswer("a match without a valid offset and length")
    if not isinstance(replacements, list) or not all(isinstance(r, str) for r in replacements):
        raise BadAnswer("replacements that are not text")
    if not 0 <= start <= len(text):
        raise BadAnswer("a match outside the text")
    end = _advance_utf16(text, start, length)
    if end is None:
        raise BadAnswer("a match outside the text")
    return Match(
        start,
        end,
        rule=str(match.rule_id),
        category=str(match.category),
        issue_type=str(getattr(match, "rule_issue_type", "")),
        message=str(match.message),
        replacements=replacements,
    )


def _advance_utf16(text: str, start: int, units: int) -> int | None:
    """The code-point index `units` UTF-16 code units after `start`, or None if past the end."""
    position = start
    while units > 0:
        if position >= len(text):
            return None
        units -= 2 if ord(text[position]) > 0xFFFF else 1
        position += 1
    return position


# ----------------------------------------------------------- changed regions
def changed_regions(original: str, rewritten: str, edits: list[Edit]) -> list[tuple[int, int]]:
    """Spans of `rewritten` (merged, sorted) covering the sentences the rewrite
    changed: those holding an edit's new wording, and those a deletion cut into.
    Empty when `edits` do not turn `original` into `rewritten`."""
    from .rewrite import apply

    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    if apply(original, ordered) != rewritten:
        return []
    new_doc, old_doc = _sentences(rewritten), _sentences(original)
    spans: list[tuple[int, int]] = []
    delta = 0
    for edit in ordered:
        start = edit.start + delta
        end = start + len(edit.after)
        delta += len(edit.after) - (edit.end - edit.start)
        if edit.after:
            spans.append(_around(new_doc, start, end))
        elif _cuts_sentence(old_doc, edit.start, edit.end):
            spans.append(_around(new_doc, start, start))
    return _merge_spans(spans)


def _sentences(text: str) -> Document:
    from .document import Document, Structure

    return Document(text, Structure("(?!)", "(?!)", ()))


def _around(doc: Document, start: int, end: int) -> tuple[int, int]:
    """[start, end) widened to the sentences it overlaps (or touches, when empty)."""
    first = max(bisect_right(doc.sentence_starts, start) - 1, 0)
    lo, hi = start, end
    for sentence in doc.sentences[first:]:
        if sentence.start > end:
            break
        overlaps = sentence.start < end and sentence.end > start
        touches = start == end and sentence.end >= start  # a deletion point at either edge of the sentence
        if overlaps or touches:
            lo, hi = min(lo, sentence.start), max(hi, sentence.end)
    return lo, hi


def _cuts_sentence(doc: Document, start: int, end: int) -> bool:
    """Does deleting [start, end) remove part of a sentence and keep the rest?"""
    first = max(bisect_right(doc.sentence_starts, start) - 1, 0)
    for sentence in doc.sentences[first:]:
        if sentence.start >= end:
            break
        if sentence.end > start and (sentence.start < start or sentence.end > end):
            return True
    return False


def _merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


# ------------------------------------------------------------------ applying
def apply_inside(
    text: str, matches: list[Match], regions: list[tuple[int, int]]
) -> tuple[str, list[dict[str, object]], list[dict[str, object]]]:
    """Apply the first replacement of each match that lies inside a region; report
    the others. Offsets in both lists refer to the returned text."""
    chosen: list[tuple[Match, str]] = []
    skipped: list[tuple[Match, str]] = []
    taken_until = -1
    for match in sorted(matches, key=lambda m: (m.start, m.end)):
        reason = _why_not_applied(match, regions)
        # An insertion right where the previous fix ended would make the two ambiguous.
        if reason is None and (match.start < taken_until or match.start == match.end == taken_until):
            reason = "overlaps another applied fix"
        if reason is None:
            chosen.append((match, match.replacements[0]))
            taken_until = match.end
        else:
            skipped.append((match, reason))
    pieces: list[str] = []
    shifts: list[tuple[int, int]] = []  # (end in the checked text, total shift after it)
    applied: list[dict[str, object]] = []
    cursor = shift = 0
    for match, replacement in chosen:
        pieces += [text[cursor : match.start], replacement]
        new_start = match.start + shift
        shift += len(replacement) - (match.end - match.start)
        shifts.append((match.end, shift))
        cursor = match.end
        before = text[match.start : match.end]
        applied.append(_entry(match, new_start, new_start + len(replacement), before=before, after=replacement))
    pieces.append(text[cursor:])
    reported = [
        _entry(m, _shifted(shifts, m.start), _shifted(shifts, m.end), text=text[m.start : m.end], reason=reason)
        for m, reason in skipped
    ]
    return "".join(pieces), applied, reported


def _why_not_applied(match: Match, regions: list[tuple[int, int]]) -> str | None:
    if not any(start <= match.start and match.end <= end for start, end in regions):
        return "outside the sentences the rewrite changed"
    if not match.replacements:
        return "no suggested replacement"
    if match.issue_type == "misspelling" or match.category == "TYPOS":
        return "spelling suggestions are not applied (they would change names and other words on purpose)"
    return None


def _shifted(shifts: list[tuple[int, int]], position: int) -> int:
    total = 0
    for end, shift in shifts:
        if end > position:
            break
        total = shift
    return position + total


def _entry(match: Match, start: int, end: int, **extra: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "rule": match.rule,
        "category": match.category,
        "message": match.message,
        "start": start,
        "end": end,
    }
    entry.update(extra)
    if "reason" in extra:
        entry["replacements"] = match.replacements[:5]
    return entry
