"""The bytecode cache must give exactly the pattern re.compile gives."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import fastre
from assistant.phrasebook import load_from

PATTERNS = [
    (r"\bfollow(?:[- ]| me )back\b", re.IGNORECASE | re.ASCII),
    (r"(?P<name>[A-Z][a-z]+) here", re.MULTILINE),
    (r"['‘](?<![^\s(\[:]['‘])(?=\S)[^\n]{1,300}?(?<=\S)['’]", 0),
    (r"[\U0001f000-\U0001faff]+|\d{2,}", 0),
]
SAMPLES = ["Follow me back!", "Hi, Rico here.", "She said 'like mine' twice", "🙂🙂 1234", "nothing here"]


def equivalent(a: re.Pattern[str], b: re.Pattern[str]) -> bool:
    same = (a.pattern, a.flags, a.groups, a.groupindex) == (b.pattern, b.flags, b.groups, b.groupindex)
    return same and all([m.span() for m in a.finditer(s)] == [m.span() for m in b.finditer(s)] for s in SAMPLES)


@pytest.fixture
def fresh_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastre._State, "codes", None)
    monkeypatch.setattr(fastre._State, "used", set())


@pytest.mark.parametrize(("pattern", "flags"), PATTERNS)
def test_fresh_and_cached_compiles_equal_re_compile(pattern: str, flags: int, fresh_state: None) -> None:
    expected = re.compile(pattern, flags)
    assert equivalent(fastre.compile(pattern, flags), expected)
    fastre._save()
    fastre._State.codes = None  # the next compile reads what _save wrote
    cached = fastre._load()
    assert (pattern, int(flags)) in cached
    assert equivalent(fastre.compile(pattern, flags), expected)


def test_the_flag_values_are_re_s() -> None:
    assert fastre.IGNORECASE == re.IGNORECASE and fastre.MULTILINE == re.MULTILINE
    assert fastre.DOTALL == re.DOTALL and fastre.ASCII == re.ASCII


def test_escape_is_re_escape() -> None:
    every = "".join(chr(i) for i in range(0x250)) + "‘’“”—–…🙂 Dr. St. e.g. (a+)+$ [x]{2} a|b ^~&#"
    assert fastre.escape(every) == re.escape(every)
    for word in ("Mr", "Mrs.", "a-b", "c++", "50%", "#hashtag", "tab\there"):
        assert re.fullmatch(fastre.escape(word), word)


def test_the_store_keeps_this_runs_patterns_and_drops_the_oldest(
    fresh_state: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastre, "MAX_PATTERNS", 5)
    for i in range(8):  # an earlier run's patterns, oldest first
        fastre.compile(f"old{i}")
    fastre._save()
    fastre._State.codes, fastre._State.used = None, set()
    fastre.compile("old0")  # used again in this run
    fastre.compile("new")
    fastre._save()
    fastre._State.codes = None
    kept = [p for p, _flags in fastre._load()]
    assert len(kept) == 5
    assert {"old0", "new"} <= set(kept)
    assert {"old5", "old6", "old7"} <= set(kept)  # the newest of the others


def test_every_shipped_pattern_round_trips_through_the_cache(tmp_path: Path) -> None:
    script = (
        "import re\n"
        "from assistant import fastre\n"
        "from assistant.phrasebook import load_from\n"
        "from assistant.patterns import _FLAGS\n"
        "rules = load_from(()).rules\n"
        "pairs = [(fastre.compile(p, _FLAGS), re.compile(p, _FLAGS)) for r in rules for p in r.patterns]\n"
        "bad = [a for a, b in pairs if (a.pattern, a.flags, a.groups) != (b.pattern, b.flags, b.groups)]\n"
        "print(len(bad))\n"
    )
    env = {"POLITE_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    second = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert first.stdout.strip() == second.stdout.strip() == "0"
    assert (tmp_path / "regex-code.marshal").exists()
    assert load_from(()).rules
