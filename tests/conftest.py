"""Shared fixtures: the installed `polite` command run in isolation, and rule sets.

Every test runs with its own cache folder and no user config, so results never
depend on the machine's ~/.cache or ~/.config.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
DATA = Path(__file__).resolve().parent / "data"
# Labelled sets written for this project, each without sight of the rules; each was
# scored blind once (the figures are in the README) and has since been used for tuning.
LABELLED_SETS = (
    "heldout",
    *(f"set_{letter}" for letter in "bcdefghkmnpqrstuvw"),
)


# A small user rule, for tests of user phrasebooks.
TEAM_TAG_RULE = """
[[rule]]
id = "follow_back.team_tag"
category = "follow_back"
patterns = ['#teamfollowme']
message = "Uses a follow-trade hashtag."
why = "It trades follows."
alternatives = ["Share something useful instead."]
match = ["#teamfollowme 🙌"]
no_match = ["Team meeting at 3."]
"""


def polite_executable() -> list[str]:
    """The `polite` of the environment under test (next to this Python), else `python -m assistant`."""
    candidate = Path(sys.executable).with_name("polite")
    if candidate.exists():
        return [str(candidate)]
    found = shutil.which("polite")
    return [found] if found else [sys.executable, "-m", "assistant"]


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("POLITE_CACHE_DIR", str(cache))
    monkeypatch.setenv("POLITE_USER_CONFIG", str(cache / "no-user-config.toml"))
    monkeypatch.delenv("POLITE_NO_CACHE", raising=False)
    monkeypatch.delenv("POLITE_NO_FASTPATH", raising=False)
    monkeypatch.delenv("POLITE_LANGUAGETOOL_URL", raising=False)


class Run:
    __slots__ = ("returncode", "stderr", "stdout", "stdout_bytes")

    def __init__(self, proc: subprocess.CompletedProcess[bytes]) -> None:
        self.returncode = proc.returncode
        self.stdout_bytes = proc.stdout
        self.stdout = proc.stdout.decode("utf-8")
        self.stderr = proc.stderr.decode("utf-8")

    def __repr__(self) -> str:
        return f"Run(returncode={self.returncode}, stdout={self.stdout[:300]!r}, stderr={self.stderr[:300]!r})"


@pytest.fixture
def polite(tmp_path: Path):  # type: ignore[no-untyped-def]
    """polite(*args, input=None, cwd=None, env=None) -> Run, using the installed command."""

    def run(
        *args: str, input: str | bytes | None = None, cwd: Path | str | None = None, env: dict[str, str] | None = None
    ) -> Run:
        data = input.encode("utf-8") if isinstance(input, str) else input
        full_env = {**os.environ, **(env or {})}
        proc = subprocess.run(
            [*polite_executable(), *args],
            input=data if data is not None else b"",
            capture_output=True,
            cwd=str(cwd or tmp_path),
            env=full_env,
            timeout=120,
        )
        return Run(proc)

    return run


@pytest.fixture(scope="session")
def ruleset():  # type: ignore[no-untyped-def]
    from assistant.phrasebook import load_from

    return load_from(())


def load_jsonl(path: Path) -> list[dict[str, object]]:
    import json

    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
