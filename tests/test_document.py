"""The document model: sentences, structure, masked regions, positions."""

from __future__ import annotations

import random
import re

import pytest

from assistant import document
from assistant.document import BODY, GREETING, MASK, SIGNATURE, SIGNOFF, Document, _blocks, _lines


def parts(doc: Document) -> list[tuple[str, str]]:
    return [(s.kind, doc.text[s.start : s.end]) for s in doc.sentences]


def test_sentences_and_positions(ruleset) -> None:  # type: ignore[no-untyped-def]
    doc = Document("Hello there.\nSecond line here! Third one?", ruleset.structure)
    assert [t for _k, t in parts(doc)] == ["Hello there.", "Second line here!", "Third one?"]
    third = doc.sentences[-1]
    assert doc.position(third.start) == (2, 19)
    assert doc.position(0) == (1, 1)


def test_email_structure_greeting_signoff_signature(ruleset) -> None:  # type: ignore[no-untyped-def]
    text = "Dear Ms. Okafor,\nI endorsed you for Public Speaking. Thanks for reading.\nWarm regards,\nHarold Pike"
    kinds = parts(Document(text, ruleset.structure))
    assert kinds == [
        (GREETING, "Dear Ms. Okafor,"),
        (BODY, "I endorsed you for Public Speaking."),
        (BODY, "Thanks for reading."),
        (SIGNOFF, "Warm regards,"),
        (SIGNATURE, "Harold Pike"),
    ]


def test_a_signature_may_give_a_title_under_the_name(ruleset) -> None:  # type: ignore[no-untyped-def]
    text = "Please find the agenda attached.\n\nKind regards,\nTariq Haddad\nHead of Sourcing, Meridian Dunes Trading"
    assert parts(Document(text, ruleset.structure))[-3:] == [
        (SIGNOFF, "Kind regards,"),
        (SIGNATURE, "Tariq Haddad"),
        (SIGNATURE, "Head of Sourcing, Meridian Dunes Trading"),
    ]
    # A sentence under the sign-off is still a sentence, and a title alone is no name.
    tails = ("Tariq Haddad\nFollow me back and I will follow you.", "Head of Sourcing at Meridian Dunes Trading ltd")
    for tail in tails:
        kinds = [kind for kind, _text in parts(Document(f"See you soon.\n\nThanks,\n{tail}", ruleset.structure))]
        assert SIGNOFF not in kinds


@pytest.mark.parametrize(
    ("text", "greeting"),
    [
        ("Hi Sofia, we wrote a review.", "Hi Sofia,"),
        ("Hey! I followed you.", "Hey!"),
        ("Hello — great talk today.", "Hello —"),
    ],
)
def test_inline_and_standalone_greetings_are_their_own_sentence(ruleset, text: str, greeting: str) -> None:  # type: ignore[no-untyped-def]
    first = parts(Document(text, ruleset.structure))[0]
    assert first == (GREETING, greeting)


def test_abbreviations_decimals_and_ellipses_do_not_split(ruleset) -> None:  # type: ignore[no-untyped-def]
    text = "Dr. Haines paid 2.5 times more... and then left. Next one."
    assert [t for _k, t in parts(Document(text, ruleset.structure))] == [
        "Dr. Haines paid 2.5 times more... and then left.",
        "Next one.",
    ]


def test_a_postscript_mark_opens_its_sentence(ruleset) -> None:  # type: ignore[no-untyped-def]
    """Dropping a demand after "P.S." takes the mark with it, so none is left alone."""
    text = "Thanks again.\n\nP.S. I rated you five stars. P.P.S. Review mine in return."
    assert [t for _k, t in parts(Document(text, ruleset.structure))] == [
        "Thanks again.",
        "P.S. I rated you five stars.",
        "P.P.S. Review mine in return.",
    ]


def test_emoji_ends_a_casual_sentence_but_not_inside_a_word(ruleset) -> None:  # type: ignore[no-untyped-def]
    doc = Document("Great vid bro 🔥 liked and commented. I left a 5⭐ review.", ruleset.structure)
    texts = [t for _k, t in parts(doc)]
    assert texts == ["Great vid bro 🔥", "liked and commented.", "I left a 5⭐ review."]
    assert doc.sentences[1].soft and not doc.sentences[2].soft


def test_trailing_hashtags_stay_with_their_sentence(ruleset) -> None:  # type: ignore[no-untyped-def]
    texts = [t for _k, t in parts(Document("duet mine back?? #duetme #fyp", ruleset.structure))]
    assert texts == ["duet mine back?? #duetme #fyp"]


def test_hard_wrapped_lines_are_one_sentence(ruleset) -> None:  # type: ignore[no-untyped-def]
    texts = [
        t for _k, t in parts(Document("I followed you last week and\nwould love a follow back.", ruleset.structure))
    ]
    assert texts == ["I followed you last week and\nwould love a follow back."]


@pytest.mark.parametrize(
    "protected",
    [
        '"Endorsed you, your turn!"',
        "“follow me back”",
        "'like for like'",
        "https://example.com/follow-me-back",
        "github.com/follow-me/back-please",
        "shop.example.co.uk/like4like",
        "someone@example.com",
    ],
)
def test_quotes_links_and_addresses_are_masked_with_offsets_kept(ruleset, protected: str) -> None:  # type: ignore[no-untyped-def]
    text = f"She wrote {protected} to me."
    doc = Document(text, ruleset.structure)
    start = text.index(protected)
    assert len(doc.scan) == len(text)
    assert set(doc.scan[start : start + len(protected)]) == {MASK}
    assert doc.scan[:start] == text[:start]


@pytest.mark.parametrize("text", ["and/or", "24/7 support", "w/ friends", "3/4 of them", "e.g./i.e.", "Q3/Q4 plans"])
def test_slashes_that_are_not_links_stay_readable(ruleset, text: str) -> None:  # type: ignore[no-untyped-def]
    assert Document(text, ruleset.structure).scan == text


def test_a_full_stop_after_a_link_still_ends_the_sentence(ruleset) -> None:  # type: ignore[no-untyped-def]
    for link in ("https://example.com/deck", "example.com/deck"):
        text = f"The deck is at {link}. I followed you, follow me back."
        sentences = [text[s.start : s.end] for s in Document(text, ruleset.structure).sentences]
        assert sentences == [f"The deck is at {link}.", "I followed you, follow me back."]


def test_apostrophes_are_not_quotes(ruleset) -> None:  # type: ignore[no-untyped-def]
    text = "I don't think it's fair, but we're here."
    assert Document(text, ruleset.structure).scan == text


def test_quoted_email_lines_and_code_are_masked(ruleset) -> None:  # type: ignore[no-untyped-def]
    text = "My reply.\n> follow me back pls\n\n```\nfollow me back\n```\n\n    indented follow me back\n\nEnd."
    doc = Document(text, ruleset.structure)
    assert "follow" not in doc.scan
    assert [t for _k, t in parts(doc)] == ["My reply.", "End."]


def test_crlf_offsets_and_columns(ruleset) -> None:  # type: ignore[no-untyped-def]
    text = "Hi Dana,\r\nI endorsed you.\r\nEndorse me back!\r\n"
    doc = Document(text, ruleset.structure)
    last = next(s for s in doc.sentences if doc.text[s.start : s.end] == "Endorse me back!")
    assert doc.position(last.start) == (3, 1)
    assert text[last.start : last.end] == "Endorse me back!"


def test_sections_split_on_two_blank_lines_and_separators(ruleset) -> None:  # type: ignore[no-untyped-def]
    doc = Document("One.\n\nTwo.\n\n\nThree.\n---\nFour.", ruleset.structure)
    assert [(doc.text[s.start : s.end], s.block, s.section) for s in doc.sentences] == [
        ("One.", 0, 0),
        ("Two.", 1, 0),
        ("Three.", 2, 1),
        ("Four.", 3, 2),
    ]


def test_ignore_marker_lines(ruleset) -> None:  # type: ignore[no-untyped-def]
    doc = Document("a\nb polite: ignore\nc <!-- polite: ignore -->\n", ruleset.structure)
    assert doc.ignored_lines == {1, 2}


def test_empty_text(ruleset) -> None:  # type: ignore[no-untyped-def]
    doc = Document("", ruleset.structure)
    assert doc.sentences == [] and doc.position(0) == (1, 1)


# ------------------------------------------------- paragraph walk, line by line
def reference_blocks(scan: str) -> list[tuple[list[tuple[int, int]], int]]:
    """Paragraphs as (lines, section), found by visiting every line: the plain
    statement of what document._blocks finds from the paragraph-ending lines alone."""
    separator = re.compile(r"^[ \t]*(?:-{3,}|\*{3,}|_{3,}|={3,}|#{1,6}[ \t].*)[ \t\r]*$")
    blocks: list[tuple[list[tuple[int, int]], int]] = []
    section = blank_run = 0
    current: list[tuple[int, int]] = []
    start = 0
    for line in scan.split("\n"):
        line_start, start = start, start + len(line) + 1
        if not line.strip() or (line.lstrip()[:1] == MASK and not line.strip(MASK + " \t\r")):
            if current:
                blocks.append((current, section))
                current = []
            if not line.strip():
                blank_run += 1
                section += blank_run == 2
            continue
        if separator.match(line):
            if current:
                blocks.append((current, section))
                current = []
            section += 1
            blank_run = 0
            continue
        blank_run = 0
        current.append((line_start, line_start + len(line)))
    if current:
        blocks.append((current, section))
    return blocks


LINE_KINDS = [
    "Thanks for the intro.",
    "  indented text",
    "",
    "   ",
    "\t",
    "\r",
    "\u00a0",
    "\u2028 ",
    f"{MASK * 5}",
    f"  {MASK * 3} \t",
    f"{MASK}x",
    f"\u00a0{MASK}",
    "---",
    "  ***  ",
    "___",
    "===",
    "--",
    "- - -",
    "---\r",
    "# Heading",
    "###### Six",
    "####### Seven",
    "#hashtag",
    "-----text",
]


@pytest.mark.parametrize("seed", range(40))
def test_paragraphs_match_a_line_by_line_walk(seed: int) -> None:
    rnd = random.Random(seed)
    scan = "\n".join(rnd.choice(LINE_KINDS) for _ in range(rnd.randint(0, 40)))
    expected = [(lines[0][0], lines[-1][1], section) for lines, section in reference_blocks(scan)]
    assert _blocks(scan) == expected
    assert [_lines(scan, s, e) for s, e, _section in _blocks(scan)] == [lines for lines, _s in reference_blocks(scan)]


@pytest.mark.parametrize("text", ["", "\n", "a", "a\n", "\n\na\n\n", "---\na\n# T\nb", "a\n\n\nb"])
def test_paragraphs_at_the_edges(text: str) -> None:
    expected = [(lines[0][0], lines[-1][1], section) for lines, section in reference_blocks(text)]
    assert _blocks(text) == expected


@pytest.mark.parametrize("seed", range(10))
def test_ascii_sentence_ends_are_the_full_patterns_ends(seed: int, ruleset, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """_cuts scans ASCII text with a punctuation-only pattern; it must cut where the
    full pattern (with its emoji alternatives) cuts."""
    rnd = random.Random(seed)
    pieces = ["Dr. Rao said so.", "e.g. this", "Wait...", "Really?!", "'Quoted.'", "(Aside.)", "ok", "A.B.", "x.\ty"]
    text = " ".join(rnd.choice(pieces) for _ in range(30))
    assert text.isascii()
    full = [m.span() for m in document._BOUNDARY.finditer(text)]
    fast = [m.span() for m in document._PUNCT_BOUNDARY.finditer(text)]
    assert fast == full
    cuts = document._cuts(text, ruleset.structure)
    monkeypatch.setattr(document, "_PUNCT_BOUNDARY", document._BOUNDARY)
    assert document._cuts(text, ruleset.structure) == cuts


def test_tail_only_sentences_never_start_with_an_ascii_letter_or_digit() -> None:
    """Splitting skips the tail test for sentences that start so (see _Splitter.unit)."""
    for c in map(chr, range(128)):
        if c.isalnum():
            assert not document._TAIL_ONLY.match(c) and not document._TAIL_ONLY.match(c + " #tag")
    assert document._TAIL_ONLY.match("① 🙏") and document._TAIL_ONLY.match("#l4l @me")


def test_crlf_text_has_the_paragraphs_and_sections_of_lf_text(ruleset) -> None:  # type: ignore[no-untyped-def]
    lf = "Hi Sam,\nGreat post.\n\n---\n\nI followed you, follow me back.\n# Next\nThanks,\nRia\n"
    crlf = lf.replace("\n", "\r\n")

    def shape(text: str) -> list[tuple[str, int, int, str]]:
        doc = Document(text, ruleset.structure)
        return [(s.kind, s.block, s.section, text[s.start : s.end].strip()) for s in doc.sentences]

    assert shape(crlf) == shape(lf)
    assert [section for _k, _b, section, _t in shape(lf)] == [0, 0, 1, 2, 2]
