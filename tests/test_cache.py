"""The on-disk cache: a miss is never an error, and the folder stays small."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from assistant import cache


def test_a_stored_value_comes_back_only_under_its_key(tmp_path: Path) -> None:
    cache.store("phrasebooks-1", ("key", 1), {"rules": [1, 2, 3]})
    assert cache.load("phrasebooks-1", ("key", 1)) == {"rules": [1, 2, 3]}
    assert cache.load("phrasebooks-1", ("key", 2)) is None
    assert cache.load("phrasebooks-2", ("key", 1)) is None


def test_a_damaged_or_unwritable_entry_is_a_miss(tmp_path: Path) -> None:
    folder = Path(os.environ["POLITE_CACHE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "render-1.marshal").write_bytes(b"\x00not marshal")
    assert cache.load("render-1", "k") is None
    cache.store("render-2", "k", object())  # not marshallable: skipped, no error
    assert cache.load("render-2", "k") is None
    assert not list(folder.glob("*.tmp"))


def test_no_cache_bypasses_the_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLITE_NO_CACHE", "1")
    cache.store("render-1", "k", "v")
    assert cache.load("render-1", "k") is None


def test_a_family_past_its_limit_loses_its_oldest_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 8)
    folder = Path(os.environ["POLITE_CACHE_DIR"])
    cache.store("phrasebooks-1", "k", "rules")  # another family, older than all renders
    now = time.time_ns()
    for i in range(8):
        cache.store(f"render-{i}", "k", i)
        os.utime(folder / f"render-{i}.marshal", ns=(now + i, now + i))
    os.utime(folder / "phrasebooks-1.marshal", ns=(now - 10**9, now - 10**9))
    assert len(list(folder.glob("render-*.marshal"))) == 8
    cache.store("render-new", "k", "new")  # the ninth: prune to three quarters of 8
    left = sorted(p.name for p in folder.glob("render-*.marshal"))
    assert left == [f"render-{i}.marshal" for i in range(3, 8)] + ["render-new.marshal"]
    assert cache.load("phrasebooks-1", "k") == "rules"  # other families are left alone
    cache.store("render-new", "k", "again")  # replacing an entry never prunes
    assert len(list(folder.glob("render-*.marshal"))) == 6


def test_temporary_files_of_killed_runs_are_cleaned_up(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = Path(os.environ["POLITE_CACHE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    old, recent = folder / "render-1.marshal.99.tmp", folder / "render-2.marshal.98.tmp"
    old.write_bytes(b"x")
    recent.write_bytes(b"x")  # may belong to a run still writing
    two_hours_ago = time.time_ns() - 2 * 3600 * 10**9
    os.utime(old, ns=(two_hours_ago, two_hours_ago))
    cache.store("render-3", "k", "v")
    assert not old.exists() and recent.exists()
