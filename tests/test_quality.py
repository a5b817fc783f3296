"""Readability (--stats) and grammar (--grammar) for `polite rewrite`.

Grammar runs against tests/languagetool_fake.py: a small HTTP server started by
each test on 127.0.0.1 that speaks LanguageTool's /v2 JSON (languages, check,
healthcheck). No real LanguageTool (Java) server is used; see docs/grammar.md.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant import quality
from assistant.quality import grammar_pass, readability
from assistant.rewrite import Edit, apply

from .conftest import polite_executable
from .languagetool_fake import FakeLanguageTool, rule

POLITE = polite_executable()
SKIPPED = "polite: grammar check skipped"

GREETING = "Hi Sofia,\n\nGreat talk yesterday. "
DEMAND = "Please like my page and I will like yours."
ENDING = "\n\nThanks,\nAna\n"
ORIGINAL = GREETING + DEMAND + ENDING
NEW_LINE = "I wrote a article about it, happy to share."


def replace_demand(after: str = NEW_LINE) -> tuple[str, list[Edit]]:
    start = ORIGINAL.index(DEMAND)
    edits = [Edit(start, start + len(DEMAND), after, "like_for_like.explicit", "like_for_like", "replaced", False)]
    return apply(ORIGINAL, edits), edits


def drop(original: str, part: str) -> tuple[str, list[Edit]]:
    start = original.index(part)
    edits = [Edit(start, start + len(part), "", "like_for_like.explicit", "like_for_like", "dropped", True)]
    return apply(original, edits), edits


def entries(info: dict[str, object], key: str) -> list[dict[str, Any]]:
    value = info[key]
    assert isinstance(value, list)
    return value


def skip_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(SKIPPED)]


@pytest.fixture(autouse=True)
def no_languagetool_around(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No server configured, no local LanguageTool, short timeouts, no proxies."""
    for name in (quality.URL_ENV, quality.LANGUAGE_ENV):
        monkeypatch.delenv(name, raising=False)
    ltp = tmp_path / "ltp-downloads"
    monkeypatch.setenv("LTP_PATH", str(ltp))
    monkeypatch.setenv(quality.TIMEOUT_ENV, "3")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    return ltp


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# ------------------------------------------------------------------ readability
def test_readability_measures_real_text() -> None:
    easy = readability("The cat sat on the mat. It was warm. We had tea.")
    hard = readability(
        "Notwithstanding considerable institutional heterogeneity, comprehensive organisational "
        "restructuring necessitates extraordinarily meticulous interdepartmental coordination."
    )
    assert easy is not None and hard is not None
    assert set(easy) == {"flesch_reading_ease", "grade_level"}
    assert all(isinstance(v, float) for v in (*easy.values(), *hard.values()))
    assert easy["flesch_reading_ease"] > hard["flesch_reading_ease"]
    assert easy["grade_level"] < hard["grade_level"]


@pytest.mark.parametrize("text", ["", "   \n\t", "🔥🔥 🙏", "...!?"])
def test_readability_of_text_without_words_is_none(text: str) -> None:
    assert readability(text) is None


def test_readability_is_none_when_textstat_cannot_be_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "textstat", None)
    assert readability("The cat sat on the mat.") is None


def test_readability_is_none_when_textstat_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    import textstat

    def broken(text: str) -> float:
        raise LookupError("cmudict is missing")

    monkeypatch.setattr(textstat, "flesch_reading_ease", broken)
    assert readability("The cat sat on the mat.") is None


_PROBE = """
import json, sys
from assistant.entry import main
code = main(sys.argv[1:])
heavy = sorted(m for m in ("textstat", "cmudict", "language_tool_python") if m in sys.modules)
print(json.dumps({"code": code, "loaded": heavy}), file=sys.stderr)
"""


def probe(args: list[str], tmp_path: Path, **env: str) -> dict[str, Any]:
    draft = tmp_path / "draft.txt"
    draft.write_text("Great talk yesterday! I endorsed you, now go endorse me back.\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-c", _PROBE, *args, str(draft)],
        check=False,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, **cli_env(tmp_path), **env},
        timeout=60,
    )
    result: dict[str, Any] = json.loads(run.stderr.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("fastpath", ["", "1"], ids=["fast-parser", "click"])
@pytest.mark.parametrize("command", [["check"], ["rewrite"], ["rewrite", "--format", "json"], ["rewrite", "--diff"]])
def test_default_path_never_imports_textstat_or_languagetool(command: list[str], fastpath: str, tmp_path: Path) -> None:
    result = probe(command, tmp_path, POLITE_NO_FASTPATH=fastpath)
    assert result["code"] in (0, 1)
    assert result["loaded"] == []


def test_stats_does_import_textstat(tmp_path: Path) -> None:
    # The probe above would notice textstat: --stats loads it.
    result = probe(["rewrite", "--stats"], tmp_path)
    assert "textstat" in result["loaded"]
    assert "language_tool_python" not in result["loaded"]


# ---------------------------------------------------------------- grammar: applying
def test_suggestions_apply_inside_changed_sentence_and_outside_ones_are_reported(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rewritten, edits = replace_demand()
    rules = [rule("a article", ["an article", "the article"]), rule("talk yesterday", ["talk, yesterday"])]
    with FakeLanguageTool(rules) as fake:
        final, info = grammar_pass(ORIGINAL, rewritten, edits, fake.url)
    assert final == rewritten.replace("a article", "an article")
    assert info["status"] == "applied"
    assert info["server"] == fake.url
    assert info["source"] == "argument"
    assert info["language"] == "en-US"
    [applied] = entries(info, "applied")
    assert (applied["before"], applied["after"]) == ("a article", "an article")
    assert final[applied["start"] : applied["end"]] == "an article"
    [reported] = entries(info, "reported")
    assert reported["text"] == "talk yesterday"
    assert reported["reason"] == "outside the sentences the rewrite changed"
    assert reported["replacements"] == ["talk, yesterday"]
    assert final[reported["start"] : reported["end"]] == "talk yesterday"
    assert "1 LanguageTool fix" in capsys.readouterr().err
    # language-tool-python asks for the languages, then checks the whole rewritten text.
    assert [(method, path) for method, path, _ in fake.requests] == [("GET", "/v2/languages"), ("POST", "/v2/check")]
    assert fake.requests[1][2] == {"language": "en-US", "text": rewritten}


def test_whole_changed_sentence_counts_including_the_writers_words_around_new_wording() -> None:
    original = "Hi Sofia, please like my page. Bye.\n"
    start = original.index("please")
    end = original.index("page.") + len("page.")
    edits = [Edit(start, end, "thanks for a inspiring talk.", "r", "c", "replaced", False)]
    rewritten = apply(original, edits)
    rules = [rule("Hi Sofia", ["Hello Sofia"]), rule("a inspiring", ["an inspiring"])]
    with FakeLanguageTool(rules) as fake:
        final, info = grammar_pass(original, rewritten, edits, fake.url)
    assert final == "Hello Sofia, thanks for an inspiring talk. Bye.\n"
    assert len(entries(info, "applied")) == 2


def test_offsets_survive_characters_outside_the_bmp() -> None:
    original = "Loved it 🔥🔥! Please like my page. 🙏 Bye 😀 now.\n"
    start = original.index("Please")
    end = original.index("page.") + len("page.")
    edits = [Edit(start, end, "I wrote a article 🚀 about it.", "r", "c", "replaced", False)]
    rewritten = apply(original, edits)
    with FakeLanguageTool([rule("a article 🚀", ["an article 🚀"]), rule("Bye 😀", ["Bye"])]) as fake:
        final, info = grammar_pass(original, rewritten, edits, fake.url)
    assert final == rewritten.replace("a article 🚀", "an article 🚀")
    [reported] = entries(info, "reported")
    assert final[reported["start"] : reported["end"]] == "Bye 😀"


def test_deletion_inside_a_sentence_makes_it_changed() -> None:
    original = "I loved your post and please like mine. See you soon.\n"
    rewritten, edits = drop(original, " and please like mine")
    assert rewritten == "I loved your post. See you soon.\n"
    with FakeLanguageTool([rule("loved", ["enjoyed"]), rule("See you", ["Talk"])]) as fake:
        final, info = grammar_pass(original, rewritten, edits, fake.url)
    assert final == "I enjoyed your post. See you soon.\n"
    assert [r["text"] for r in entries(info, "reported")] == ["See you"]


def test_dropping_whole_sentences_leaves_the_neighbours_as_written() -> None:
    original = "Great post. Please like mine. See you soon.\n"
    rewritten, edits = drop(original, "Please like mine. ")
    assert rewritten == "Great post. See you soon.\n"
    with FakeLanguageTool([rule("Great", ["A great"]), rule("See", ["Talk"])]) as fake:
        final, info = grammar_pass(original, rewritten, edits, fake.url)
    assert final == rewritten
    assert info["applied"] == []
    assert len(entries(info, "reported")) == 2


def test_spelling_and_suggestion_free_and_overlapping_matches_are_reported() -> None:
    rewritten, edits = replace_demand("I wrote a article about Kubernetes, happy to share.")
    rules = [
        rule("Kubernetes", ["Kabernet"], rule_id="MORFOLOGIK_RULE_EN_US", issue_type="misspelling", category="TYPOS"),
        rule("happy to share", [], rule_id="STYLE"),
        rule("a article", ["an article"]),
        rule("article about", ["article on"]),
    ]
    with FakeLanguageTool(rules) as fake:
        final, info = grammar_pass(ORIGINAL, rewritten, edits, fake.url)
    assert final == rewritten.replace("a article", "an article")
    reasons = {r["rule"] + ":" + r["text"]: r["reason"] for r in entries(info, "reported")}
    assert reasons["MORFOLOGIK_RULE_EN_US:Kubernetes"].startswith("spelling suggestions are not applied")
    assert reasons["STYLE:happy to share"] == "no suggested replacement"
    assert reasons["FAKE_RULE:article about"] == "overlaps another applied fix"


def test_no_edits_means_everything_is_reported() -> None:
    with FakeLanguageTool([rule("Great", ["A great"])]) as fake:
        final, info = grammar_pass(ORIGINAL, ORIGINAL, [], fake.url)
    assert final == ORIGINAL
    assert info["status"] == "applied"
    assert [r["text"] for r in entries(info, "reported")] == ["Great"]


def test_edits_that_do_not_match_the_text_change_nothing() -> None:
    rewritten, edits = replace_demand()
    with FakeLanguageTool([rule("a article", ["an article"])]) as fake:
        final, info = grammar_pass(ORIGINAL, rewritten + "extra", edits, fake.url)
    assert final == rewritten + "extra"
    assert info["applied"] == []


def test_empty_text_is_not_sent(capsys: pytest.CaptureFixture[str]) -> None:
    with FakeLanguageTool() as fake:
        final, info = grammar_pass("", "", [], fake.url)
    assert (final, info["status"], fake.requests) == ("", "applied", [])
    assert capsys.readouterr().err == ""


@given(
    text=st.text(min_size=1, max_size=60),
    raw_matches=st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 10), st.lists(st.text(max_size=5), max_size=2)), max_size=6
    ),
    raw_regions=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 30)), max_size=3),
)
def test_fixes_never_touch_text_outside_the_regions(
    text: str, raw_matches: list[tuple[int, int, list[str]]], raw_regions: list[tuple[int, int]]
) -> None:
    size = len(text)
    regions = quality._merge_spans([(min(a, size), min(a + n, size)) for a, n in raw_regions])
    matches = [
        quality.Match(
            min(a, size),
            min(a + n, size),
            rule="R",
            category="GRAMMAR",
            issue_type="grammar",
            message="m",
            replacements=r,
        )
        for a, n, r in raw_matches
    ]
    final, applied, reported = quality.apply_inside(text, matches, regions)
    assert len(applied) + len(reported) == len(matches)
    # Undo the applied fixes from the end: the checked text comes back.
    restored = final
    for fix in sorted(applied, key=lambda f: f["start"], reverse=True):
        assert restored[fix["start"] : fix["end"]] == fix["after"]
        restored = restored[: fix["start"]] + str(fix["before"]) + restored[fix["end"] :]
    assert restored == text
    shift = 0
    for fix in applied:  # each fix lies inside a region of the checked text
        start = int(fix["start"]) - shift
        end = start + len(str(fix["before"]))
        assert any(a <= start and end <= b for a, b in regions)
        shift += len(str(fix["after"])) - len(str(fix["before"]))


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("http://h:8081", "http://h:8081/"),
        ("http://h:8081/", "http://h:8081/"),
        ("http://h:8081/v2", "http://h:8081/"),
        ("http://h:8081/v2/", "http://h:8081/"),
        ("https://h/api", "https://h/api/"),
    ],
)
def test_client_base_url(given: str, base: str) -> None:
    assert quality.client_base_url(given) == base


@pytest.mark.parametrize(
    ("raw", "seconds"), [("", 10.0), ("2.5", 2.5), ("0", 10.0), ("-1", 10.0), ("nan", 10.0), ("x", 10.0)]
)
def test_timeout_from_the_environment(raw: str, seconds: float, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(quality.TIMEOUT_ENV, raw)
    assert quality.timeout_seconds() == seconds


# -------------------------------------------------------------- grammar: servers
def test_environment_url_is_used_when_no_url_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    rewritten, edits = replace_demand()
    with FakeLanguageTool([rule("a article", ["an article"])]) as fake:
        monkeypatch.setenv(quality.URL_ENV, fake.url)
        final, info = grammar_pass(ORIGINAL, rewritten, edits, None)
    assert "an article" in final
    assert (info["server"], info["source"]) == (fake.url, "environment")


def test_url_argument_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    rewritten, edits = replace_demand()
    monkeypatch.setenv(quality.URL_ENV, closed_port_url())
    with FakeLanguageTool([rule("a article", ["an article"])]) as fake:
        final, info = grammar_pass(ORIGINAL, rewritten, edits, fake.url)
    assert info["status"] == "applied" and "an article" in final


@pytest.mark.parametrize("suffix", ["/", "/v2", "/v2/"])
def test_url_may_name_the_v2_api_or_end_with_a_slash(suffix: str) -> None:
    rewritten, edits = replace_demand()
    with FakeLanguageTool([rule("a article", ["an article"])]) as fake:
        final, info = grammar_pass(ORIGINAL, rewritten, edits, fake.url + suffix)
    assert info["status"] == "applied" and "an article" in final
    assert {path for _, path, _ in fake.requests} == {"/v2/languages", "/v2/check"}


def test_url_without_scheme_means_http() -> None:
    rewritten, edits = replace_demand()
    with FakeLanguageTool([rule("a article", ["an article"])]) as fake:
        _final, info = grammar_pass(ORIGINAL, rewritten, edits, fake.url.removeprefix("http://"))
    assert info["status"] == "applied"


def test_language_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(quality.LANGUAGE_ENV, "en-GB")
    rewritten, edits = replace_demand()
    with FakeLanguageTool() as fake:
        _final, info = grammar_pass(ORIGINAL, rewritten, edits, fake.url)
    assert info["language"] == "en-GB"
    assert fake.requests[-1][2]["language"] == "en-GB"


def test_unsupported_language_is_a_note(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(quality.LANGUAGE_ENV, "xx-YY")
    rewritten, edits = replace_demand()
    with FakeLanguageTool() as fake:
        final, info = grammar_pass(ORIGINAL, rewritten, edits, fake.url)
    assert (final, info["status"]) == (rewritten, "error")
    [line] = skip_lines(capsys.readouterr().err)
    assert "does not support the language 'xx-YY'" in line and quality.LANGUAGE_ENV in line


def assert_skipped(capsys: pytest.CaptureFixture[str], status: str, *phrases: str) -> dict[str, object]:
    rewritten, edits = replace_demand()
    final, info = grammar_pass(ORIGINAL, rewritten, edits, None)
    assert final == rewritten
    assert info["status"] == status
    assert info["applied"] == [] and info["reported"] == []
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    [line] = skip_lines(err)
    assert line == f"polite: {info['note']}"
    for phrase in ("--languagetool-url", "POLITE_LANGUAGETOOL_URL", "docker run", *phrases):
        assert phrase in line
    return info


def test_server_down_is_a_note_and_the_text_is_unchanged(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = closed_port_url()
    monkeypatch.setenv(quality.URL_ENV, url)
    info = assert_skipped(capsys, "error", "could not be reached", url)
    assert info["server"] == url


@pytest.mark.parametrize("path", ["/v2/check", "/v2/languages"])
def test_slow_server_is_abandoned_after_the_timeout(
    path: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(quality.TIMEOUT_ENV, "0.5")
    with FakeLanguageTool(delays={path: 5.0}) as fake:
        monkeypatch.setenv(quality.URL_ENV, fake.url)
        began = time.monotonic()
        assert_skipped(capsys, "error", "did not answer within 0.5 s", quality.TIMEOUT_ENV)
        assert time.monotonic() - began < 2.5


GARBAGE = {
    "check-html": {"/v2/check": (200, "text/html", "<html><body>Welcome to nginx!</body></html>")},
    "check-500": {"/v2/check": (500, "text/plain", "Error: Internal Server Error")},
    "check-empty": {"/v2/check": (200, "application/json", "")},
    "check-not-an-object": {"/v2/check": (200, "application/json", "[1, 2, 3]")},
    "check-without-matches": {"/v2/check": (200, "application/json", '{"software": {}}')},
    "check-500-json-error": {"/v2/check": (500, "application/json", '{"error": "boom"}')},
    "matches-not-a-list": {"/v2/check": (200, "application/json", '{"matches": "none"}')},
    "match-missing-fields": {"/v2/check": (200, "application/json", '{"matches": [{"offset": 1}]}')},
    "match-outside-text": {
        "/v2/check": (
            200,
            "application/json",
            json.dumps(
                {
                    "matches": [
                        {
                            "message": "m",
                            "replacements": [{"value": "x"}],
                            "offset": 100000,
                            "length": 3,
                            "context": {"text": "abc", "offset": 0, "length": 3},
                            "rule": {"id": "R", "issueType": "grammar", "category": {"id": "C"}},
                        }
                    ]
                }
            ),
        )
    },
    "languages-html": {"/v2/languages": (200, "text/html", "<h1>It works!</h1>")},
    "languages-404": {"/v2/languages": (404, "text/plain", "Not Found")},
    "languages-object": {"/v2/languages": (200, "application/json", '{"en": "English"}')},
    "languages-binary": {"/v2/languages": (200, "application/octet-stream", b"\xff\xfe\x00\x9c garbage")},
}


@pytest.mark.parametrize("canned", GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_answers_are_a_note(
    canned: dict[str, tuple[int, str, str | bytes]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeLanguageTool([rule("a article", ["an article"])], canned=canned) as fake:
        monkeypatch.setenv(quality.URL_ENV, fake.url)
        info = assert_skipped(capsys, "error", fake.url)
    assert "answered" in str(info["note"])


def test_url_that_is_not_http_is_a_note(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(quality.URL_ENV, "ftp://example.org/lt")
    assert_skipped(capsys, "error", "is not an http(s) address")


def test_no_server_and_no_local_languagetool(no_languagetool_around: Path, capsys: pytest.CaptureFixture[str]) -> None:
    info = assert_skipped(capsys, "unavailable", "no LanguageTool server is set", "no local LanguageTool")
    assert (info["server"], info["source"]) == (None, None)
    assert not no_languagetool_around.exists()  # looking did not create language-tool-python's folder


def test_a_local_folder_without_a_jar_is_not_a_languagetool(
    no_languagetool_around: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (no_languagetool_around / "LanguageTool-6.8").mkdir(parents=True)
    assert_skipped(capsys, "unavailable", "no local LanguageTool")


# ------------------------------------------------- grammar: local LanguageTool
_FAKE_JAVA = """#!{python}
import os, sys
if "-version" in sys.argv:
    sys.stderr.write('openjdk version "17.0.15" 2025-04-15\\n')
    sys.exit(0)
port = sys.argv[sys.argv.index("-p") + 1]
os.execv(sys.executable, [sys.executable, {fake!r}, port])
"""


def test_local_languagetool_already_downloaded_is_started_without_downloading(
    no_languagetool_around: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """language-tool-python starts the local server with `java -cp <jar>
    org.languagetool.server.HTTPServer -p PORT`; a fake `java` runs the fake server."""
    from language_tool_python.download_lt import LocalLanguageTool

    install = no_languagetool_around / "LanguageTool-6.8"
    install.mkdir(parents=True)
    (install / "languagetool-server.jar").write_bytes(b"")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    java = bin_dir / "java"
    java.write_text(
        _FAKE_JAVA.format(python=sys.executable, fake=str(Path(__file__).with_name("languagetool_fake.py")))
    )
    java.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    started = tmp_path / "started.txt"
    monkeypatch.setenv("FAKE_LT_STARTED", str(started))
    monkeypatch.setenv("FAKE_LT_RULES", json.dumps([rule("a article", ["an article"])]))

    def no_download(*args: object, **kwargs: object) -> None:
        raise AssertionError("language-tool-python tried to download LanguageTool")

    monkeypatch.setattr(LocalLanguageTool, "_get_remote_zip", no_download)
    rewritten, edits = replace_demand()
    final, info = grammar_pass(ORIGINAL, rewritten, edits, None)
    assert info["note"] is None or "skipped" not in str(info["note"]), info["note"]
    assert final == rewritten.replace("a article", "an article")
    assert (info["status"], info["source"], info["server"]) == ("applied", "local", None)
    server_url = started.read_text().strip()
    with pytest.raises(OSError):  # language-tool-python stopped the server it started
        socket.create_connection(("127.0.0.1", int(server_url.rsplit(":", 1)[1])), timeout=1).close()


# ---------------------------------------------------------------------- the CLI
DRAFT = "Hi Sofia,\n\nGreat talk yesterday! I endorsed you, now go endorse me back.\n\nThanks,\nAna\n"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("polite-cache")


def cli_env(tmp_path: Path, cache: Path | None = None) -> dict[str, str]:
    return {
        "POLITE_USER_CONFIG": "",
        "POLITE_CACHE_DIR": str(cache or tmp_path / "cache"),
        "LTP_PATH": str(tmp_path / "ltp-downloads"),
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }


def polite(
    args: list[str], tmp_path: Path, cache: Path, text: str = DRAFT, **env: str
) -> subprocess.CompletedProcess[str]:
    draft = tmp_path / "draft.txt"
    draft.write_text(text, encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("POLITE_LANGUAGETOOL")}
    return subprocess.run(
        [*POLITE, "rewrite", "--unsafe", *args, str(draft)],
        check=False,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env={**clean, **cli_env(tmp_path, cache), quality.TIMEOUT_ENV: "3", **env},
        timeout=60,
    )


@pytest.fixture
def baseline(tmp_path: Path, cache_dir: Path) -> dict[str, Any]:
    """The plain rewrite (no grammar) and a word of its new wording to 'correct'."""
    run = polite(["--format", "json"], tmp_path, cache_dir)
    assert run.returncode == 0, run.stderr
    data: dict[str, Any] = json.loads(run.stdout)
    rewritten = str(data["rewritten"])
    after = next(str(c["after"]) for c in data["changes"] if c["after"])
    word = next(w for w in after.split() if w.isalpha() and len(w) > 3 and rewritten.count(w) == 1)
    data["word"] = word
    data["fixed"] = rewritten.replace(word, word.upper())
    assert "Sofia" in rewritten and "Sofia" not in after
    return data


def grammar_rules(word: str) -> list[dict[str, object]]:
    return [rule(word, [word.upper()]), rule("Sofia", ["Sophia"])]


@pytest.mark.parametrize("fastpath", ["", "1"], ids=["fast-parser", "click"])
def test_cli_grammar_with_url_option(fastpath: str, baseline: dict[str, Any], tmp_path: Path, cache_dir: Path) -> None:
    with FakeLanguageTool(grammar_rules(str(baseline["word"]))) as fake:
        run = polite(["--grammar", "--languagetool-url", fake.url], tmp_path, cache_dir, POLITE_NO_FASTPATH=fastpath)
    assert run.returncode == 0, run.stderr
    assert run.stdout == baseline["fixed"]
    assert "applied 1 LanguageTool fix" in run.stderr and "1 other issue" in run.stderr


def test_cli_grammar_json_with_environment_url(baseline: dict[str, Any], tmp_path: Path, cache_dir: Path) -> None:
    with FakeLanguageTool(grammar_rules(str(baseline["word"]))) as fake:
        run = polite(["--grammar", "--format", "json"], tmp_path, cache_dir, POLITE_LANGUAGETOOL_URL=fake.url)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["rewritten"] == baseline["fixed"]
    assert data["changes"] == baseline["changes"]
    grammar = data["grammar"]
    assert (grammar["status"], grammar["server"], grammar["source"]) == ("applied", fake.url, "environment")
    assert [a["after"] for a in grammar["applied"]] == [str(baseline["word"]).upper()]
    assert [r["text"] for r in grammar["reported"]] == ["Sofia"]
    assert isinstance(grammar["note"], str)


def test_cli_grammar_url_from_config(baseline: dict[str, Any], tmp_path: Path, cache_dir: Path) -> None:
    with FakeLanguageTool(grammar_rules(str(baseline["word"]))) as fake:
        (tmp_path / "polite.toml").write_text(f'languagetool_url = "{fake.url}"\n', encoding="utf-8")
        run = polite(["--grammar"], tmp_path, cache_dir)
    assert run.returncode == 0, run.stderr
    assert run.stdout == baseline["fixed"]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_cli_grammar_server_down(fmt: str, baseline: dict[str, Any], tmp_path: Path, cache_dir: Path) -> None:
    url = closed_port_url()
    run = polite(["--grammar", "--languagetool-url", url, "--format", fmt], tmp_path, cache_dir)
    assert run.returncode == 0
    output = json.loads(run.stdout)["rewritten"] if fmt == "json" else run.stdout
    assert output == baseline["rewritten"]
    [line] = skip_lines(run.stderr)
    assert url in line and "could not be reached" in line
    if fmt == "json":
        assert json.loads(run.stdout)["grammar"]["status"] == "error"


def test_cli_grammar_slow_server_returns_quickly(baseline: dict[str, Any], tmp_path: Path, cache_dir: Path) -> None:
    with FakeLanguageTool(delays={"/v2/check": 20.0}) as fake:
        began = time.monotonic()
        run = polite(
            ["--grammar"], tmp_path, cache_dir, POLITE_LANGUAGETOOL_URL=fake.url, POLITE_LANGUAGETOOL_TIMEOUT="0.5"
        )
        elapsed = time.monotonic() - began
    assert run.returncode == 0
    assert run.stdout == baseline["rewritten"]
    assert len(skip_lines(run.stderr)) == 1 and "did not answer within 0.5 s" in run.stderr
    assert elapsed < 10


def test_cli_grammar_garbage_server(baseline: dict[str, Any], tmp_path: Path, cache_dir: Path) -> None:
    with FakeLanguageTool(canned={"/v2/check": (502, "text/html", "<h1>Bad Gateway</h1>")}) as fake:
        run = polite(["--grammar", "--languagetool-url", fake.url], tmp_path, cache_dir)
    assert run.returncode == 0
    assert run.stdout == baseline["rewritten"]
    [line] = skip_lines(run.stderr)
    assert "not JSON" in line and "Bad Gateway" in line


def test_cli_grammar_without_any_server(baseline: dict[str, Any], tmp_path: Path, cache_dir: Path) -> None:
    run = polite(["--grammar", "--format", "json"], tmp_path, cache_dir)
    assert run.returncode == 0
    data = json.loads(run.stdout)
    assert data["rewritten"] == baseline["rewritten"]
    assert data["grammar"]["status"] == "unavailable" and data["grammar"]["server"] is None
    [line] = skip_lines(run.stderr)
    assert "docker run -p 8010:8010 erikvl87/languagetool" in line and "--languagetool-url" in line


def test_cli_stats_on_stderr(baseline: dict[str, Any], tmp_path: Path, cache_dir: Path) -> None:
    run = polite(["--stats"], tmp_path, cache_dir)
    assert run.returncode == 0
    assert run.stdout == baseline["rewritten"]
    assert "polite: readability: Flesch reading ease" in run.stderr and "grade level" in run.stderr


def test_cli_stats_in_json(baseline: dict[str, Any], tmp_path: Path, cache_dir: Path) -> None:
    run = polite(["--stats", "--format", "json"], tmp_path, cache_dir)
    assert run.returncode == 0
    data = json.loads(run.stdout)
    for side in ("before", "after"):
        assert set(data["readability"][side]) == {"flesch_reading_ease", "grade_level"}
    assert "readability" not in run.stderr


def test_cli_stats_after_grammar_measures_the_final_text(
    baseline: dict[str, Any], tmp_path: Path, cache_dir: Path
) -> None:
    with FakeLanguageTool(grammar_rules(str(baseline["word"]))) as fake:
        run = polite(["--stats", "--grammar", "--format", "json", "--languagetool-url", fake.url], tmp_path, cache_dir)
    data = json.loads(run.stdout)
    assert data["rewritten"] == baseline["fixed"]
    assert data["readability"]["after"] == readability(str(baseline["fixed"]))


def test_cli_stats_on_an_empty_draft(tmp_path: Path, cache_dir: Path) -> None:
    run = polite(["--stats"], tmp_path, cache_dir, text="")
    assert run.returncode == 0 and run.stdout == ""
    assert "readability unavailable" in run.stderr


def test_an_insertion_where_the_previous_fix_ended_is_reported_not_applied() -> None:
    def match(start: int, end: int, replacement: str) -> quality.Match:
        return quality.Match(
            start, end, rule="R", category="GRAMMAR", issue_type="grammar", message="m", replacements=[replacement]
        )

    final, applied, reported = quality.apply_inside("ab", [match(0, 1, ""), match(1, 1, "x")], [(0, 2)])
    assert (final, len(applied), [r["reason"] for r in reported]) == ("b", 1, ["overlaps another applied fix"])
