"""polite rewrite: golden cases, every option and failure path, and properties."""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import rewrite as rewrite_mod
from assistant.commands import _content, _load_tidier
from assistant.content import content_line
from assistant.rules import CATEGORIES, STRATEGIES
from assistant.templating import Templates

CASES = Path(__file__).resolve().parent / "cases"
REWRITE_CASES = sorted(p for p in CASES.iterdir() if p.is_dir() and p.name != "replies")


def case_args(folder: Path) -> list[str]:
    path = folder / "args.txt"
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line] if path.exists() else []


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One cache for this module's runs (still never the machine's), so most runs start warm."""
    return {"POLITE_CACHE_DIR": str(tmp_path_factory.mktemp("rewrite-cache"))}


@pytest.fixture
def run(polite, shared_cache):  # type: ignore[no-untyped-def]
    def go(*args: str, input: str | bytes | None = None, cwd: Path | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return polite(*args, input=input, cwd=cwd, env={**shared_cache, **(env or {})})

    return go


def apply_changes(original: str, changes: list[dict[str, object]]) -> str:
    pieces, cursor = [], 0
    for change in changes:
        start, end = int(change["start"]), int(change["end"])  # type: ignore[call-overload]
        assert cursor <= start <= end <= len(original), changes
        assert original[start:end] == change["before"]
        pieces += [original[cursor:start], str(change["after"])]
        cursor = end
    return "".join([*pieces, original[cursor:]])


# What a rewrite must not introduce (counted before and after, as the corpus scorer does).
HYGIENE = {
    "double space": r"[^\S\r\n]{2,}",
    "space before punctuation": r"[ \t][.,!?;:](?![\w])",
    "doubled punctuation": r"[.,;:][ \t]*[,;:]|[,;:][ \t]*[.,;:]",
    "empty paragraph": r"(?:\r?\n[ \t]*){3,}",
    "lower-case sentence start": r"(?:\A|[.!?][ \t]+)[a-z]",
    "dangling connector": r"\b(?:and|but|so|or|now|then)[ \t]*[.!?,;:]",
    "orphan punctuation line": r"^[ \t]*[.,;:!?]+[ \t]*\r?$",
    "line starting with punctuation": r"^[ \t]*[,;:.]",
    "leading blank line": r"\A[ \t]*\r?\n",
    "trailing space": r"[ \t]+\r?$",
    "None": r"\bNone\b",
    "empty slot": r"\{\{|\}\}|:\s*$|\babout\s*[,.;]|\bhere is\s*[:,.]?\s*$",
}


def hygiene_faults(before: str, after: str) -> list[str]:
    return [
        name
        for name, pattern in HYGIENE.items()
        if len(re.findall(pattern, after, re.M)) > len(re.findall(pattern, before, re.M))
    ]


# ---------------------------------------------------------------- golden cases
def test_golden_cases_cover_the_brief() -> None:
    names = {p.name for p in REWRITE_CASES}
    inputs = [(p / "input.txt").read_bytes() for p in REWRITE_CASES]
    assert b"I endorsed you, now go endorse me back.\n" in inputs
    assert b"Hi. I liked ur PAGE through LINKEDIN GROUP. Expecting ur LIKE and SUPPORT.\n" in inputs
    assert any(b"\r\n" in i for i in inputs) and any(not i.endswith(b"\n") for i in inputs)
    flags = {arg for p in REWRITE_CASES for arg in case_args(p)}
    assert {"--tidy", "--unsafe"} <= flags and any(f.startswith(("--topic", "--link")) for f in flags)
    assert len(names) >= 15


@pytest.mark.parametrize("case", REWRITE_CASES, ids=lambda p: p.name)
def test_golden_rewrite(run, case: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("rewrite", "--isolated", str(case / "input.txt"), *case_args(case))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout_bytes == (case / "expected.txt").read_bytes()


@pytest.mark.parametrize("case", REWRITE_CASES, ids=lambda p: p.name)
def test_golden_changes_and_idempotence(run, case: Path) -> None:  # type: ignore[no-untyped-def]
    args = case_args(case)
    expected = (case / "expected.txt").read_bytes()
    data = json.loads(run("rewrite", "--isolated", "--format", "json", str(case / "input.txt"), *args).stdout)
    bom = b"\xef\xbb\xbf" if expected.startswith(b"\xef\xbb\xbf") else b""
    assert bom + data["rewritten"].encode("utf-8") == expected
    assert apply_changes(data["original"], data["changes"]) == data["rewritten"]
    assert (data["original"] == data["rewritten"]) == (not data["changes"])
    again = run("rewrite", "--isolated", "-", *args, input=expected)
    assert again.stdout_bytes == expected, "rewriting the output again changed it"


@pytest.mark.parametrize("case", REWRITE_CASES, ids=lambda p: p.name)
def test_golden_outputs_are_clean(case: Path) -> None:
    before = (case / "input.txt").read_text(encoding="utf-8")
    after = (case / "expected.txt").read_text(encoding="utf-8")
    assert after.strip(), "a rewrite must never leave an empty message"
    assert hygiene_faults(before, after) == []
    assert after.startswith("\ufeff") == before.startswith("\ufeff")
    assert after.endswith("\n") == before.endswith("\n")
    if "\r\n" in before:
        assert after.count("\n") == after.count("\r\n"), "a line ending changed"
    else:
        assert "\r" not in after


# -------------------------------------------------------------- plain output
DEMAND = "Great thread on sourdough! I followed you yesterday, so follow me back.\n"
CLEAN = "Hi Lee,\n\nThanks for the talk yesterday. Could you send me the slides?\n\nBest,\nMira\n"


def test_stdout_gets_only_the_text(run) -> None:  # type: ignore[no-untyped-def]
    result = run("rewrite", input=DEMAND)
    assert (result.returncode, result.stdout, result.stderr) == (0, "Great thread on sourdough!\n", "")


def test_unchanged_text_exits_zero_byte_identical(run) -> None:  # type: ignore[no-untyped-def]
    for args in ((), ("-",), ("--tidy",), ("--unsafe",)):
        result = run("rewrite", *args, input=CLEAN)
        assert (result.returncode, result.stdout, result.stderr) == (0, CLEAN, "")


def test_click_and_fast_paths_agree(run) -> None:  # type: ignore[no-untyped-def]
    fast = run("rewrite", "--topic", "bread", "--unsafe", input=DEMAND)
    slow = run("rewrite", "--topic", "bread", "--unsafe", input=DEMAND, env={"POLITE_NO_FASTPATH": "1"})
    assert fast.returncode == slow.returncode == 0
    assert fast.stdout == slow.stdout and "Great thread on sourdough!" in fast.stdout and fast.stdout != DEMAND


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nice post!\nI followed you, follow back!", "Nice post!"),
        ("Nice post!\nI followed you, follow back!\n", "Nice post!\n"),
        ("Nice post!\r\nI followed you, follow back!\r\n", "Nice post!\r\n"),
        ("Nice post!\r\nI followed you, follow back!", "Nice post!"),
        ("I followed you, follow back!\nNice post!", "Nice post!"),
    ],
)
def test_final_newline_state_is_kept(tmp_path: Path, run, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "draft.txt"
    path.write_bytes(text.encode("utf-8"))
    assert run("rewrite", str(path)).stdout_bytes == expected.encode("utf-8")


X = "I endorsed you, now go endorse me back."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Nice post!\n\n{X}", "Nice post!"),
        (f"Nice post!\n\n\n{X}", "Nice post!"),
        (f"Nice post!\n\n{X}\n", "Nice post!\n"),
        (f"Nice post!\r\n\r\n{X}", "Nice post!"),
        (f"{X}\n\n\nNice post!\n", "Nice post!\n"),
        (f"Nice post!\n\n{X}\n\n{X}", "Nice post!"),
        (f"Nice post!\n\n{X}\n\n{X}\n", "Nice post!\n"),
        (f"Nice post!\n\n{X}\n\nSee you.\n\n{X}\n", "Nice post!\n\nSee you.\n"),
        (f"Hi,\n{X}\n{X}\nBye.", "Hi,\nBye."),
    ],
)
def test_dropped_paragraphs_take_their_blank_lines(ruleset, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    # No replacer: every demand is dropped, even where it is all its section says.
    assert rewrite_mod.rewrite(text, ruleset, None).rewritten == expected


# ----------------------------------------------------------------------- diff
def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "draft.txt"
    path.write_text("Hi Dana,\nLove the blog. I followed you, follow me back!\nBest,\nKim\n", encoding="utf-8")
    before = path.stat()
    result = run("rewrite", "--diff", str(path))
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[:2] == [f"--- a/{path}", f"+++ b/{path}"]
    assert lines[2].startswith("@@ ")
    assert "-Love the blog. I followed you, follow me back!" in lines
    assert "+Love the blog." in lines
    assert " Hi Dana," in lines and " Best," in lines
    after = path.stat()
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)
    assert sorted(os.listdir(tmp_path)) == ["draft.txt"]


def test_diff_of_a_clean_draft_is_empty(run) -> None:  # type: ignore[no-untyped-def]
    result = run("rewrite", "--diff", input=CLEAN)
    assert (result.returncode, result.stdout) == (0, "")


def test_diff_marks_a_missing_final_newline(run) -> None:  # type: ignore[no-untyped-def]
    result = run("rewrite", "--diff", input="Nice post!\nI followed you, follow back!")
    assert "\\ No newline at end of file" in result.stdout
    assert result.stdout.startswith("--- a/-\n+++ b/-\n")


# ------------------------------------------------------------------- in place
def test_in_place_rewrites_the_file(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "draft.txt"
    path.write_bytes(b"\xef\xbb\xbfHi Dana,\r\nLove the blog. I followed you, follow me back!\r\nBest,\r\nKim")
    path.chmod(0o640)
    result = run("rewrite", "--in-place", str(path))
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == f"polite: rewrote {path} (1 change)\n"
    assert path.read_bytes() == b"\xef\xbb\xbfHi Dana,\r\nLove the blog.\r\nBest,\r\nKim"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["draft.txt"]


def test_in_place_leaves_an_unchanged_file_untouched(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "clean.txt"
    path.write_text(CLEAN, encoding="utf-8")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = path.stat()
    result = run("rewrite", "--in-place", str(path))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    after = path.stat()
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)


def test_in_place_through_a_symlink_updates_the_target(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "real.txt"
    target.write_text(DEMAND, encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    assert run("rewrite", "--in-place", str(link)).returncode == 0
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == "Great thread on sourdough!\n"


def test_in_place_keeps_a_legacy_encoding(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "latin.txt"
    path.write_bytes("Très bon article, José! I followed you, follow me back!\n".encode("latin-1"))
    assert run("rewrite", "--in-place", "--encoding", "latin-1", str(path)).returncode == 0
    assert path.read_bytes() == "Très bon article, José!\n".encode("latin-1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--in-place",), "--in-place needs a file path"),
        (("--in-place", "-"), "--in-place needs a file path"),
        (("--in-place", "--diff", "draft.txt"), "--diff"),
    ],
)
def test_in_place_refusals(tmp_path: Path, run, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "draft.txt").write_text(DEMAND, encoding="utf-8")
    result = run("rewrite", *args, input=DEMAND, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("polite: error:") and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert (tmp_path / "draft.txt").read_text(encoding="utf-8") == DEMAND


# Faults injected into the real write path of a `polite rewrite --in-place` process.
FAULTS = textwrap.dedent(
    """
    import os, signal, sys, tempfile
    fault = sys.argv.pop(1)
    ours = set()
    real_mkstemp, real_fdopen, real_replace, real_fsync = tempfile.mkstemp, os.fdopen, os.replace, os.fsync

    def mkstemp(*args, **kwargs):
        fd, path = real_mkstemp(*args, **kwargs)
        if os.path.basename(path).startswith(".polite-"):
            ours.add(fd)
        return fd, path

    class HalfWriter:
        def __init__(self, fh):
            self.fh = fh
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            return self.fh.__exit__(*exc)
        def __getattr__(self, name):
            return getattr(self.fh, name)
        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            if fault == "write-error":
                raise OSError(28, "No space left on device")
            if fault == "write-interrupt":
                raise KeyboardInterrupt
            if fault == "write-kill":
                os.kill(os.getpid(), signal.SIGKILL)
            return self.fh.write(data[len(data) // 2 :])

    def fdopen(fd, *args, **kwargs):
        fh = real_fdopen(fd, *args, **kwargs)
        return HalfWriter(fh) if fd in ours and fault.startswith("write-") else fh

    def replace(src, dst, *args, **kwargs):
        if os.path.basename(str(src)).startswith(".polite-"):
            if fault == "replace-error":
                raise OSError(18, "Invalid cross-device link")
            if fault == "replace-interrupt":
                raise KeyboardInterrupt
        return real_replace(src, dst, *args, **kwargs)

    def fsync(fd):
        if fault == "fsync-error" and fd in ours:
            raise OSError(5, "Input/output error")
        return real_fsync(fd)

    tempfile.mkstemp, os.fdopen, os.replace, os.fsync = mkstemp, fdopen, replace, fsync
    from assistant.entry import main
    sys.exit(main(sys.argv[1:]))
    """
)


@pytest.mark.parametrize(
    ("fault", "code", "message"),
    [
        ("write-error", 2, "cannot write it back (No space left on device); the file is unchanged"),
        ("fsync-error", 2, "cannot write it back (Input/output error); the file is unchanged"),
        ("replace-error", 2, "cannot write it back (Invalid cross-device link); the file is unchanged"),
        ("write-interrupt", 130, "polite: interrupted"),
        ("replace-interrupt", 130, "polite: interrupted"),
    ],
)
def test_interrupted_in_place_write_keeps_the_original(
    tmp_path: Path, shared_cache: dict[str, str], fault: str, code: int, message: str
) -> None:
    path = tmp_path / "draft.txt"
    original = ("Loved the podcast. I subscribed to your show, please subscribe to mine!\n" * 50).encode("utf-8")
    path.write_bytes(original)
    env = {**os.environ, **shared_cache}
    command = [sys.executable, "-c", FAULTS, fault, "rewrite", "--in-place", str(path)]
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    assert proc.returncode == code, proc
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert path.read_bytes() == original
    assert sorted(os.listdir(tmp_path)) == ["draft.txt"], "a temporary file was left behind"


def test_killed_in_place_write_keeps_the_original(tmp_path: Path, shared_cache: dict[str, str]) -> None:
    """A process killed outright (SIGKILL) mid-write runs no clean-up at all: the
    original is still whole because the new text only ever went to a temporary file
    in the same folder; that hidden temporary file is all that can be left."""
    path = tmp_path / "draft.txt"
    original = ("Loved the podcast. I subscribed to your show, please subscribe to mine!\n" * 50).encode("utf-8")
    path.write_bytes(original)
    env = {**os.environ, **shared_cache}
    proc = subprocess.run(
        [sys.executable, "-c", FAULTS, "write-kill", "rewrite", "--in-place", str(path)], capture_output=True, env=env
    )
    assert proc.returncode == -signal.SIGKILL
    assert path.read_bytes() == original
    leftovers = [name for name in os.listdir(tmp_path) if name != "draft.txt"]
    assert all(re.fullmatch(r"\.polite-\w+\.tmp", name) for name in leftovers), leftovers


# ----------------------------------------------------------------------- json
def test_json_contract(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    text = "🙂 Hi Zoë,\n\nLove the blog 🌱. I followed you, follow me back! Also, great photos.\n\nBest,\nKim\n"
    path = tmp_path / "draft.txt"
    path.write_text(text, encoding="utf-8")
    data = json.loads(run("rewrite", "--format", "json", str(path)).stdout)
    assert {"path", "original", "rewritten", "changes"} <= set(data)
    assert data["path"] == str(path) and data["original"] == text
    assert data["rewritten"] == "🙂 Hi Zoë,\n\nLove the blog 🌱. Also, great photos.\n\nBest,\nKim\n"
    [change] = data["changes"]
    assert {"rule", "category", "start", "end", "before", "after"} <= set(change)
    assert change["rule"].startswith("follow_back.") and change["category"] == "follow_back"
    # Offsets are code points into the original: the emoji before them count as one each.
    assert text[change["start"] : change["end"]] == change["before"] == "I followed you, follow me back! "
    assert change["after"] == "" and change["applicability"] == "safe"
    assert apply_changes(text, data["changes"]) == data["rewritten"]


def test_json_for_stdin_and_clean_text(run) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(run("rewrite", "--format", "json", input=CLEAN).stdout)
    assert data == {"path": "-", "original": CLEAN, "rewritten": CLEAN, "changes": []}
    named = json.loads(run("rewrite", "--format", "json", "--stdin-filename", "note.txt", input=CLEAN).stdout)
    assert named["path"] == "note.txt"


def test_json_with_in_place_writes_and_reports(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "draft.txt"
    path.write_text(DEMAND, encoding="utf-8")
    data = json.loads(run("rewrite", "--format", "json", "--in-place", str(path)).stdout)
    assert path.read_text(encoding="utf-8") == data["rewritten"] == "Great thread on sourdough!\n"


def test_json_offsets_skip_the_byte_order_mark(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfI followed you, follow back! Nice shop.\n")
    data = json.loads(run("rewrite", "--format", "json", str(path)).stdout)
    assert data["original"] == "I followed you, follow back! Nice shop.\n"
    assert data["changes"][0]["start"] == 0
    assert data["rewritten"] == "Nice shop.\n"


# -------------------------------------------------------------------- explain
def test_explain_lists_each_change_on_stderr(run) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Hi Sam,\nI followed you on Twitter. Follow me back? Nice bakery! "
        "I left you five stars on Google, so please review my cafe too.\n"
    )
    result = run("rewrite", "--explain", input=text)
    assert result.stdout == "Hi Sam,\nNice bakery!\n"
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert re.match(r"-:2:1: \[follow_back\.\w+\] 'I followed you on Twitter\. Follow me back\?': dropped: ", lines[0])
    assert re.match(r"-:2:\d+: \[[\w.]+\] 'I left you five stars", lines[1])


def test_explain_names_replacements_and_no_changes(run) -> None:  # type: ignore[no-untyped-def]
    result = run("rewrite", "--explain", input="I endorsed you, now go endorse me back.\n")
    assert re.fullmatch(
        r"-:1:1: \[endorsement_swap\.\w+\] 'I endorsed you, now go endorse me back\.' "
        r"-> (['\"])If it.+\1: replaced the demand.*\n",
        result.stderr,
    )
    quiet = run("rewrite", "--explain", input=CLEAN)
    assert quiet.stdout == CLEAN and quiet.stderr == "polite: no changes: no demands found\n"


# ----------------------------------------------------------------------- tidy
def test_tidy_spells_out_textspeak_and_lowers_shouting(run) -> None:  # type: ignore[no-untyped-def]
    text = "Ur API docs r gr8, thx! u explained it SO well, pls write MORE. I followed u, FOLLOW BACK pls\n"
    plain = run("rewrite", input=text).stdout
    assert plain == "Ur API docs r gr8, thx! u explained it SO well, pls write MORE.\n"
    tidy = run("rewrite", "--tidy", input=text).stdout
    # The writer's own capitals stay: "Ur" -> "Your", "u" -> "you" ("U" and "R" alone may be names).
    assert tidy == "Your API docs are great, thanks! you explained it so well, please write more.\n"


def test_tidy_leaves_quotes_links_and_acronyms_alone(run) -> None:  # type: ignore[no-untyped-def]
    text = 'Read "SO GOOD" at https://example.com/U/ur/PLS by our CEO. I think u will like it.\n'
    assert run("rewrite", "--tidy", input=text).stdout == text.replace(" u will", " you will")


def test_tidy_changes_are_in_the_json(run) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(run("rewrite", "--tidy", "--format", "json", input="Thx, ur post was GREAT.\n").stdout)
    assert data["rewritten"] == "Thanks, your post was great.\n"
    assert [c["rule"] for c in data["changes"]] == ["tidy.textspeak", "tidy.textspeak", "tidy.shouting"]
    assert apply_changes(data["original"], data["changes"]) == data["rewritten"]


# --------------------------------------------------------------------- unsafe
def test_safe_drop_by_default_replacement_with_unsafe(run) -> None:  # type: ignore[no-untyped-def]
    text = "Your talk on caching was brilliant. I endorsed you for Python, so please endorse me back.\n"
    safe = json.loads(run("rewrite", "--format", "json", input=text).stdout)
    assert safe["rewritten"] == "Your talk on caching was brilliant.\n"
    assert [c["applicability"] for c in safe["changes"]] == ["safe"]
    unsafe = json.loads(run("rewrite", "--format", "json", "--unsafe", input=text).stdout)
    [change] = unsafe["changes"]
    assert change["applicability"] == "unsafe" and change["after"]
    assert unsafe["rewritten"] == "Your talk on caching was brilliant. " + change["after"] + "\n"
    assert "endorse me back" not in unsafe["rewritten"]


def test_a_message_that_is_only_a_demand_is_replaced_even_without_unsafe(run) -> None:  # type: ignore[no-untyped-def]
    for text in ("I endorsed you, now go endorse me back.\n", "Hi Ana,\n\nf4f? 🙏\n\nThanks,\nLeo\n"):
        data = json.loads(run("rewrite", "--format", "json", input=text).stdout)
        [change] = data["changes"]
        assert change["applicability"] == "unsafe" and len(change["after"].split()) >= 5
        assert data["rewritten"].strip()
        check = run("check", input=data["rewritten"])
        assert check.returncode == 0, check


def test_unsafe_replaces_only_the_first_demand_of_a_message(run) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Hi Sam,\nI followed you on Twitter. Follow me back? Your thread on sourdough was great. "
        "I left your bakery five stars on Google, so please leave one for my cafe too.\nThanks,\nAna\n"
    )
    data = json.loads(run("rewrite", "--format", "json", "--unsafe", input=text).stdout)
    assert [bool(c["after"]) for c in data["changes"]] == [True, False]
    assert "Your thread on sourdough was great." in data["rewritten"]


# -------------------------------------------------------------------- profile
ENDORSE = "I endorsed you, now go endorse me back.\n"
LIKE = "I liked all your photos, now like my page too!\n"


def test_profile_from_the_command_line(run) -> None:  # type: ignore[no-untyped-def]
    out = run("rewrite", "--topic", "soil health", "--link", "https://example.com/soil", input=LIKE).stdout
    assert "soil health" in out and "https://example.com/soil" in out
    assert "soil health" in run("rewrite", "--topic", "soil health", input=ENDORSE).stdout


@pytest.mark.parametrize(
    ("file_name", "content"),
    [
        (
            "pyproject.toml",
            '[project]\nname = "x"\n\n[tool.polite.profile]\ntopic = "bee keeping"\nlink = "https://example.com/bees"\n',
        ),
        ("polite.toml", '[profile]\ntopic = "bee keeping"\nlink = "https://example.com/bees"\n'),
    ],
)
def test_profile_from_config(tmp_path: Path, run, file_name: str, content: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / file_name).write_text(content, encoding="utf-8")
    draft = tmp_path / "draft.txt"
    draft.write_text(LIKE, encoding="utf-8")
    out = run("rewrite", str(draft)).stdout
    assert "bee keeping" in out and "https://example.com/bees" in out
    assert "pottery" in run("rewrite", "--topic", "pottery", str(draft)).stdout  # the command line wins
    assert "bee keeping" not in run("rewrite", "--isolated", str(draft)).stdout
    piped = run("rewrite", "--stdin-filename", "draft.txt", input=LIKE, cwd=tmp_path).stdout
    assert "bee keeping" in piped


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_profile_values_fall_back_to_natural_wording(tmp_path: Path, run, value: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "polite.toml").write_text(f'[profile]\ntopic = "{value}"\nlink = "{value}"\n', encoding="utf-8")
    draft = tmp_path / "draft.txt"
    for text in (LIKE, ENDORSE):
        draft.write_text(text, encoding="utf-8")
        out = run("rewrite", str(draft), "--link", value).stdout
        assert out == run("rewrite", "--isolated", str(draft)).stdout
        assert hygiene_faults(text, out) == []


class FakeFinding:
    def __init__(self, category: str) -> None:
        self.category = category

        self.fix = type("Fix", (), {"strategies": list(STRATEGIES)})()


USES = {"invite": ("topic", "link"), "offer": ("topic",), "question": ("topic",), "thanks": ()}
PROFILE_VALUES = [None, "", "  ", "open-source hardware", "Zoë's kitchen", "https://example.com/a?b=1"]


def test_content_lines_never_show_none_or_empty_slots() -> None:
    templates = Templates(())
    for category, strategy in itertools.product(CATEGORIES, STRATEGIES):
        for topic, link, name in itertools.product(PROFILE_VALUES, PROFILE_VALUES[:4], (None, "Ana")):
            profile = {"topic": topic, "link": link, "name": name}
            cleaned = {k: (v.strip() or None) if v else None for k, v in profile.items()}
            line = content_line(templates, FakeFinding(category), strategy, cleaned)  # type: ignore[arg-type]
            assert line and line == line.strip() and "\n" not in line
            assert line[0].isupper()
            assert line[-1] in ".?!" or (cleaned["link"] is not None and line.endswith(cleaned["link"]))
            assert hygiene_faults("", line) == [], (category, strategy, profile, line)
            for key in USES[strategy]:
                if cleaned[key] is not None:
                    assert cleaned[key] in line, (strategy, key, line)


# ----------------------------------------------------------------- selection
def test_select_and_ignore(run) -> None:  # type: ignore[no-untyped-def]
    text = "I followed you, follow me back! Also I left you five stars, so please review my shop too.\n"
    ignored = run("rewrite", "--ignore", "follow_back", input=text).stdout
    assert "follow me back" in ignored and "review my shop" not in ignored
    bad = run("rewrite", "--select", "no_such_rule", input=text)
    assert bad.returncode == 2 and "unknown rule or category 'no_such_rule'" in bad.stderr


# --------------------------------------------------------------------- errors
def test_input_errors_exit_2_with_one_line(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "latin.txt").write_bytes("café, I followed you\n".encode("latin-1"))
    (tmp_path / "utf16.txt").write_bytes("hello".encode("utf-16"))
    (tmp_path / "binary.bin").write_bytes(b"\x00\x01\x02hello")
    (tmp_path / "folder").mkdir()
    cases = {
        "missing.txt": "missing.txt: no such file",
        "folder": "folder: is a folder",
        "latin.txt": "latin.txt: is not valid utf-8 (byte 0xe9 at offset 3)",
        "utf16.txt": "looks like UTF-16",
        "binary.bin": "looks like binary data",
    }
    for name, message in cases.items():
        for extra in ((), ("--in-place",), ("--format", "json")):
            result = run("rewrite", name, *extra, cwd=tmp_path)
            assert (result.returncode, result.stdout) == (2, ""), (name, extra, result)
            assert result.stderr.startswith("polite: error: ") and message in result.stderr
            assert result.stderr.count("\n") == 1, result.stderr
    assert (tmp_path / "latin.txt").read_bytes() == "café, I followed you\n".encode("latin-1")


def test_unknown_encoding_and_bad_config(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("rewrite", "--encoding", "klingon", input=DEMAND)
    assert result.returncode == 2 and "unknown encoding 'klingon'" in result.stderr
    (tmp_path / "polite.toml").write_text("[profile]\ncolour = 'red'\n", encoding="utf-8")
    result = run("rewrite", "-", input=DEMAND, cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "colour" in result.stderr


def test_two_paths_is_a_usage_error(run) -> None:  # type: ignore[no-untyped-def]
    result = run("rewrite", "a.txt", "b.txt")
    assert result.returncode == 2 and "Traceback" not in result.stderr


# ----------------------------------------------------------------- properties
TEMPLATES = Templates(())
REPLACER = _content(TEMPLATES, {"topic": None, "link": None, "name": None})
TIDIER = _load_tidier()

DEMAND_SENTENCES = [
    "I endorsed you, now go endorse me back.",
    "I liked ur PAGE. Expecting ur LIKE and SUPPORT.",
    "followed u, follow back pls 🙏",
    "I left your shop five stars, so please review mine too.",
    "I subscribed to your channel, subscribe to mine!",
    "After everything I've shared for you, you owe me a retweet.",
    "We haven't worked together, but could you write me a recommendation?",
    "Could you share my post? I shared yours last week.",
    "f4f?",
    "Thanks in advance!",
]
CLEAN_SENTENCES = [
    "Your talk on caching was brilliant.",
    "The weather in Lisbon was lovely this week.",
    "Our team shipped the new dashboard on Tuesday.",
    "Could you send me the slides from the talk?",
    "Let me know if you'd like to follow up next week.",
    "I'll get back to you about the invoice.",
    "Like I said, the workshop starts at nine.",
    "Thanks for the endorsement, that was kind of you!",
    "Congrats on the new job 🎉",
    "See the notes at https://example.com/follow-me-back for details.",
    'She wrote "follow me back or else" under my post, which made me laugh.',
]
GREETINGS = ["Hi Dana,", "Hello Marco,", "Hey!", "Hi.", "Dear Ms. Okafor,", "hi!!"]
SIGNOFFS = ["Thanks,\nMaya", "Best,\nTom", "Cheers,\nLena Fox", "- Jo", "Kind regards,\nPaul"]
SEPARATORS = [" ", "  ", "\n", "\n\n", "\n\n\n", "\t"]

unicode_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
# Noise for clean messages: no punctuation, so it cannot unbalance the quotes around a quoted demand.
plain_noise = st.text(st.characters(blacklist_categories=("Cs", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po")), max_size=40)


@st.composite
def messages(draw: st.DrawFn, sentences: list[str], noise: st.SearchStrategy[str] | None = unicode_text) -> str:
    extra = noise if noise is not None else st.nothing()
    parts = draw(st.lists(st.sampled_from(sentences) | extra, min_size=1, max_size=6))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(parts), max_size=len(parts)))
    body = "".join(p + s for p, s in zip(parts, seps, strict=True)).strip(" \t")
    greeting = draw(st.sampled_from(["", *GREETINGS]))
    signoff = draw(st.sampled_from(["", *SIGNOFFS]))
    text = "\n\n".join(x for x in (greeting, body, signoff) if x)
    text += draw(st.sampled_from(["", "\n"]))
    return text.replace("\n", "\r\n") if draw(st.booleans()) else text


def outside_edits_unchanged(text: str, result: rewrite_mod.Result) -> None:
    changes = [e.to_dict(text) for e in result.edits]
    assert apply_changes(text, changes) == result.rewritten
    for a, b in itertools.pairwise(changes):
        assert int(a["end"]) <= int(b["start"])  # type: ignore[call-overload]
    # Every visible character an edit removes or replaces lies inside a finding (or is tidied).
    flagged = [(f.start, f.end) for f in result.findings]
    for edit in result.edits:
        if edit.rule.startswith("tidy."):
            continue
        for i in range(edit.start, edit.end):
            assert text[i].isspace() or any(s <= i < e for s, e in flagged), (text, edit.start, edit.end, flagged)


# The autouse fixture only sets environment variables, so sharing it across examples is fine.
FAST = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@FAST
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_never_crashes_on_arbitrary_unicode(ruleset, text: str) -> None:
    for unsafe, tidy in ((False, None), (True, TIDIER)):
        result = rewrite_mod.rewrite(text, ruleset, REPLACER, unsafe, tidy)
        outside_edits_unchanged(text, result)


@FAST
@given(messages(DEMAND_SENTENCES + CLEAN_SENTENCES), st.booleans(), st.booleans())
def test_text_outside_edits_is_unchanged(ruleset, text: str, unsafe: bool, tidy: bool) -> None:
    result = rewrite_mod.rewrite(text, ruleset, REPLACER, unsafe, TIDIER if tidy else None)
    outside_edits_unchanged(text, result)
    assert result.rewritten.startswith("\ufeff") == text.startswith("\ufeff")
    assert result.rewritten.endswith("\n") == text.endswith("\n") or not result.rewritten.strip()


@FAST
@given(messages(DEMAND_SENTENCES + CLEAN_SENTENCES), st.booleans(), st.booleans())
def test_rewrite_is_idempotent(ruleset, text: str, unsafe: bool, tidy: bool) -> None:
    tidier = TIDIER if tidy else None
    once = rewrite_mod.rewrite(text, ruleset, REPLACER, unsafe, tidier).rewritten
    twice = rewrite_mod.rewrite(once, ruleset, REPLACER, unsafe, tidier)
    assert twice.rewritten == once
    assert not twice.findings


@FAST
@given(messages(DEMAND_SENTENCES + CLEAN_SENTENCES, noise=None))
def test_rewrites_of_demands_are_tidy(ruleset, text: str) -> None:
    result = rewrite_mod.rewrite(text, ruleset, REPLACER)
    if result.findings:
        assert result.rewritten.strip()
        assert hygiene_faults(text, result.rewritten) == [], (text, result.rewritten)


@FAST
@given(messages(CLEAN_SENTENCES, noise=plain_noise))
def test_clean_messages_come_out_byte_identical(ruleset, text: str) -> None:
    for unsafe in (False, True):
        result = rewrite_mod.rewrite(text, ruleset, REPLACER, unsafe)
        assert result.rewritten == text and not result.edits, result.findings
