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


@pytest.mark.parametrize(("pattern", "flags"), PATTERNS)
def test_fresh_and_cached_compiles_equal_re_compile(pattern: str, flags: int) -> None:
    expected = re.compile(pattern, flags)
    assert equivalent(fastre.compile(pattern, flags), expected)
    fastre._State.codes = None  # reload from the cache written below
    fastre._save()
    assert equivalent(fastre.compile(pattern, flags), expected)


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
