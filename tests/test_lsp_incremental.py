"""The language server's piecewise analysis finds exactly what `analyse` finds on the whole text."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.detect import Finding, analyse
from assistant.lsp import incremental
from assistant.lsp.incremental import IncrementalAnalyser
from assistant.rules import LARGE_TEXT

from .conftest import DATA, load_jsonl

DRAFTS = [str(row["text"]) for name in ("heldout_drafts", "set_c_drafts") for row in load_jsonl(DATA / f"{name}.jsonl")]
# Business prose that no rule flags, to make texts long.
FILLER = [
    "We shipped the new invoicing flow on Tuesday and the first numbers look good.",
    "Please review the attached budget before Friday so we can finalise the plan.",
    "The conference in Lisbon was great, and the panel on pricing was the highlight.",
    "Customer interviews keep pointing to the same problem: setup takes too long.",
]
# Pieces that interact with their neighbours: tails, premises, asks, markers, and
# lines that change how the text is split (separators, fences, quotes, code, links).
TRICKY = [
    "Thanks in advance!",
    "Thanks in advance! 🙏",
    "I endorsed you for Python.",
    "Your turn!",
    "Do the same for me?",
    "Like my page too.",
    "Follow me back! polite: ignore",
    "Subscribe to my channel and I'll subscribe back.",
    "Follow me back!",
    "---",
    "---\r",
    "***",
    "# Notes",
    "```",
    "~~~",
    "> Follow me back and I'll follow you.",
    "    follow me back, indented like code",
    "https://example.com/follow-me-back",
    "bob@example.com",
    "Hi Dana,",
    "Thanks,\nSam",
]
JOINERS = ["\n", "\n\n", "\n\n\n", "\n\n---\n\n", "\r\n", "\r\n\r\n", " "]

parts = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(DRAFTS), st.sampled_from(TRICKY), st.sampled_from(FILLER)), st.sampled_from(JOINERS)
    ),
    min_size=1,
    max_size=120,
)


def long_text(pieces: list[tuple[str, str]]) -> str:
    """The pieces joined, with inert prose around them until the text counts as long."""
    body = "".join(piece + joiner for piece, joiner in pieces)
    padding, n = [], 0
    while len(body) + sum(len(p) + 2 for p in padding) <= LARGE_TEXT + 1000:
        padding.append(f"{FILLER[n % len(FILLER)]} (note {n})")
        n += 1
    half = len(padding) // 2
    return "\n\n".join(padding[:half]) + "\n\n" + body + "\n\n" + "\n\n".join(padding[half:])


def summary(findings: list[Finding]) -> list[dict[str, Any]]:
    """Everything a finding says, except the sentence indices (which count within a piece)."""
    return [{**f.to_dict("draft"), "kinds": f.kinds, "priority": f.priority, "parts": f.parts} for f in findings]


def full(text: str, ruleset: Any) -> list[dict[str, Any]]:
    return summary(analyse(text, ruleset)[1])


# Cutting at every paragraph puts cuts next to every kind of neighbour; the
# default (one paragraph start in 16) is what the server does.
CUT_EVERY = [1, incremental._PARAGRAPH_CUT_EVERY]


@pytest.mark.parametrize("cut_every", CUT_EVERY)
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=parts)
def test_same_findings_as_analyse(ruleset: Any, cut_every: int, pieces: list[tuple[str, str]]) -> None:
    text = long_text(pieces)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(incremental, "_PARAGRAPH_CUT_EVERY", cut_every)
        assert summary(IncrementalAnalyser(ruleset).findings(text)) == full(text, ruleset)


edits = st.lists(
    st.tuples(st.floats(0, 1), st.integers(0, 40), st.sampled_from(["", *TRICKY, *JOINERS, "x"])),
    min_size=1,
    max_size=6,
)


@pytest.mark.parametrize("cut_every", CUT_EVERY)
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=parts, changes=edits)
def test_same_findings_after_each_edit(
    ruleset: Any, cut_every: int, pieces: list[tuple[str, str]], changes: list[Any]
) -> None:
    text = long_text(pieces)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(incremental, "_PARAGRAPH_CUT_EVERY", cut_every)
        analyser = IncrementalAnalyser(ruleset)
        analyser.findings(text)
        for where, removed, inserted in changes:
            at = int(where * len(text))
            text = text[:at] + inserted + text[at + removed :]
            assert summary(analyser.findings(text)) == full(text, ruleset)


@pytest.mark.parametrize("cut_every", CUT_EVERY)
@pytest.mark.parametrize("joiner", ["\n\n---\n\n", "\n\n\n", "\n\n", "\r\n\r\n", "\n"])
def test_whole_corpus_in_one_document(
    ruleset: Any, monkeypatch: pytest.MonkeyPatch, joiner: str, cut_every: int
) -> None:
    monkeypatch.setattr(incremental, "_PARAGRAPH_CUT_EVERY", cut_every)
    text = joiner.join(DRAFTS + [f"{FILLER[n % len(FILLER)]} (note {n})" for n in range(100)] + DRAFTS[::-1])
    assert len(text) > LARGE_TEXT
    assert summary(IncrementalAnalyser(ruleset).findings(text)) == full(text, ruleset)


def test_a_tail_after_a_section_break_still_counts(ruleset: Any) -> None:
    """A closing line opening a section counts when the section before ends with a demand."""
    filler = "\n\n".join(f"{FILLER[n % len(FILLER)]} (note {n})" for n in range(300))
    ending = "Follow me back!\n\n---\n\nThanks in advance!\n\nSubscribe to my channel and I'll subscribe back.\n"
    text = f"{filler}\n\n\n{ending}"
    found = summary(IncrementalAnalyser(ruleset).findings(text))
    assert found == full(text, ruleset)
    assert "Thanks in advance!" in [f["text"] for f in found]


def test_an_edit_reanalyses_only_its_piece(ruleset: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sections = [f"{DRAFTS[n % len(DRAFTS)]}\n\n{FILLER[n % len(FILLER)]}" for n in range(200)]
    text = "\n\n---\n\n".join(sections)
    analyser = IncrementalAnalyser(ruleset)
    analyser.findings(text)
    analysed: list[str] = []
    real = incremental.analyse_by_paragraph

    def counting(piece: str, rules: Any) -> Any:
        analysed.append(piece)
        return real(piece, rules)

    monkeypatch.setattr(incremental, "analyse_by_paragraph", counting)
    at = text.index(sections[120]) + len(sections[120])
    edited = text[:at] + " Follow me back!" + text[at:]
    assert summary(analyser.findings(edited)) == full(edited, ruleset)
    assert len(analysed) == 1 and "Follow me back!" in analysed[0]


@pytest.mark.parametrize("between", range(7))
@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("I endorsed you for Python last week.", "Your turn!"),
        ("Follow me back!", "Thanks in advance!"),
        ("I shared your post yesterday.", "Do the same for me?"),
        ("I endorsed you for Python last week.", "Return the favour?"),
    ],
)
def test_neighbours_across_inert_paragraphs(
    ruleset: Any, monkeypatch: pytest.MonkeyPatch, first: str, second: str, between: int
) -> None:
    """Two paragraphs that count together only when close, with `between` paragraphs
    of prose between them, cut at every paragraph."""
    monkeypatch.setattr(incremental, "_PARAGRAPH_CUT_EVERY", 1)
    prose = [f"Note {n}: {FILLER[n % len(FILLER)]}" for n in range(150)]  # one sentence each
    middle = [first, *prose[:between], second]
    text = "\n\n".join(prose[between:80] + middle + prose[80:] + prose)
    assert summary(IncrementalAnalyser(ruleset).findings(text)) == full(text, ruleset)


def test_only_one_character_lowers_to_a_longer_string() -> None:
    """The analyser analyses texts holding it whole, as Document lower-cases them differently."""
    longer = [chr(c) for c in range(sys.maxunicode + 1) if len(chr(c).lower()) != 1]
    assert longer == [incremental.LOWERS_LONGER]
