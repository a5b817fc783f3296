"""`polite check` on a long text in two processes finds exactly what one process finds."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import parallel
from assistant.lsp import incremental
from assistant.rules import TWO_PROCESS_TEXT

from .test_lsp_incremental import full, long_text, parts, summary

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="two processes need os.fork")


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes for any text that is analysed piece by piece, on any machine."""
    monkeypatch.setattr(parallel, "TWO_PROCESS_TEXT", 0)
    monkeypatch.setattr(parallel, "_may_fork", lambda: True)


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(pieces=parts)
def test_same_findings_as_one_process(ruleset: Any, forking: None, pieces: list[tuple[str, str]]) -> None:
    text = long_text(pieces)
    found = parallel.findings(text, ruleset)
    if found is None:  # fenced, or no place near the middle where the halves stay apart
        near = incremental.middle_cuts(text)[: parallel._CUTS_TRIED]
        assert not any(incremental.separable_near(text, cut, ruleset) for cut in near)
        return
    assert summary(found) == full(text, ruleset)


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(pieces=parts, data=st.data())
def test_same_findings_wherever_the_cut_falls(
    ruleset: Any, forking: None, monkeypatch: pytest.MonkeyPatch, pieces: list[tuple[str, str]], data: st.DataObject
) -> None:
    """Also where the halves must be analysed together (a premise and its ask, a
    demand and the tail after it, on the two sides of the cut)."""
    text = long_text(pieces)
    cuts = incremental._cuts(text)[1:]
    if not cuts or not incremental.middle_cuts(text):  # fenced
        return
    cut = data.draw(st.sampled_from(cuts))
    monkeypatch.setattr(parallel, "middle_cuts", lambda _text: [cut])
    monkeypatch.setattr(parallel, "separable_near", lambda *_args: True)
    found = parallel.findings(text, ruleset)
    assert found is not None and summary(found) == full(text, ruleset)


def test_a_premise_and_its_ask_split_by_the_cut(ruleset: Any, forking: None, monkeypatch: pytest.MonkeyPatch) -> None:
    text = long_text([("I endorsed you for Python last week.", "\n\n"), ("Your turn!", "\n\n")])
    ask = text.index("Your turn!")
    cut = incremental.Cut(ask - 2, ask, incremental.PARAGRAPH)
    assert not incremental.separable_near(text, cut, ruleset)  # so this cut is never chosen
    monkeypatch.setattr(parallel, "middle_cuts", lambda _text: [cut])
    monkeypatch.setattr(parallel, "separable_near", lambda *_args: True)
    found = parallel.findings(text, ruleset)
    assert found is not None and summary(found) == full(text, ruleset)
    assert any(text[f.start : f.end] == "Your turn!" for f in found)


def test_a_child_that_fails_costs_only_time(ruleset: Any, forking: None, monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        HIGHEST_PROTOCOL = 5

        @staticmethod
        def dump(*_args: object, **_kwargs: object) -> None:
            raise OSError("the pipe broke")

        loads = staticmethod(json.loads)

    text = long_text([("Follow me back!", "\n\n")] * 40)
    monkeypatch.setattr(parallel, "pickle", Broken)  # the forked child inherits it
    found = parallel.findings(text, ruleset)
    assert found is not None and summary(found) == full(text, ruleset)


def test_no_second_process_where_every_cut_would_be_joined_again(ruleset: Any, forking: None) -> None:
    """Demands in every paragraph of one section: no half can be analysed alone."""
    text = "\n\n".join(f"Loved post {i}! I followed you, so follow me back." for i in range(2000))
    assert incremental.middle_cuts(text)
    assert parallel.findings(text, ruleset) is None


def test_short_texts_and_fenced_texts_stay_in_one_process(ruleset: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "_may_fork", lambda: True)
    assert parallel.findings("Follow me back!", ruleset) is None
    fenced = "```\ncode\n```\n\n" + "We shipped it on Tuesday.\n\n" * (TWO_PROCESS_TEXT // 20)
    assert parallel.findings(fenced, ruleset) is None


def test_one_process_when_asked_or_when_threads_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.delenv("POLITE_PROCESSES", raising=False)
    if threading.active_count() == 1:
        assert parallel._may_fork()
    monkeypatch.setenv("POLITE_PROCESSES", "1")
    assert not parallel._may_fork()
    monkeypatch.delenv("POLITE_PROCESSES")
    monkeypatch.setattr(sys.modules["threading"], "active_count", lambda: 2)
    assert not parallel._may_fork()
    monkeypatch.setattr(sys.modules["threading"], "active_count", lambda: 1)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert not parallel._may_fork()


def test_check_prints_the_same_with_one_or_two_processes(polite: Any, tmp_path: Path) -> None:
    blocks = [
        "We shipped the new invoicing flow on Tuesday and the first numbers look good.",
        "Hi Dana,\nI endorsed you for Python last week. Your turn!\nThanks,\nSam",
        "Loved the talk on pricing. Follow me back? 🙏",
        "> Follow me back and I'll follow you.",
    ]
    text = "\n\n".join(blocks[i % len(blocks)] + f" ({i})" for i in range(TWO_PROCESS_TEXT // 40))
    assert len(text) > TWO_PROCESS_TEXT
    (tmp_path / "long.txt").write_text(text, encoding="utf-8")
    for fmt in ("text", "json"):
        two = polite("check", "--format", fmt, "long.txt")
        one = polite("check", "--format", fmt, "long.txt", env={"POLITE_PROCESSES": "1"})
        assert two.returncode == one.returncode == 1
        assert two.stdout == one.stdout and two.stderr == one.stderr
    assert json.loads(two.stdout)["summary"]["findings"] > 1000
