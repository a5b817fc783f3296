"""Offsets (code points) to LSP positions (lines by \\n, \\r\\n or \\r; UTF-16 units) and back."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.lsp.positions import UTF8, UTF16, UTF32, LineIndex, code_units

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CODECS = {UTF8: ("utf-8", 1), UTF16: ("utf-16-le", 2), UTF32: ("utf-32-le", 4)}

# Astral characters (emoji, mathematical letters), BMP non-ASCII, and every kind of line break.
pieces = st.sampled_from(["a", "Z", " ", "é", "—", "’", "😀", "👋🏽", "𝒯", "🫶", "\n", "\r", "\r\n", "\t", "\u2028"])
texts = st.lists(pieces, max_size=40).map("".join)


def reference_position(text: str, offset: int, encoding: str) -> tuple[int, int]:
    """Straight from the definition, independent of LineIndex."""
    if offset > 0 and text[offset - 1] == "\r" and text[offset : offset + 1] == "\n":
        offset -= 1  # between "\r" and "\n": the end of the line
    lines = _LINE_BREAK.split(text[:offset])
    codec, width = _CODECS[encoding]
    return len(lines) - 1, len(lines[-1].encode(codec)) // width


@pytest.mark.parametrize(
    ("text", "offset", "expected"),
    [
        ("😀x", 1, (0, 2)),
        ("ab\r\ncd", 4, (1, 0)),
        ("ab\r\ncd", 3, (0, 2)),  # between \r and \n
        ("ab\rcd", 3, (1, 0)),  # a lone \r breaks the line too
        ("a\u2028b", 2, (0, 2)),  # LINE SEPARATOR is no line break for LSP
        ("🎉 Follow me back", 2, (0, 3)),  # the emoji is two UTF-16 units
        ("x", 5, (0, 1)),  # clamped to the text
    ],
)
def test_position_examples(text: str, offset: int, expected: tuple[int, int]) -> None:
    assert LineIndex(text).position(offset) == expected


@pytest.mark.parametrize(
    ("text", "position", "expected"),
    [
        ("😀x", (0, 2), 1),
        ("😀x", (0, 1), 0),  # inside a surrogate pair: the start of the character
        ("ab\r\ncd", (0, 99), 2),  # past the end of the line: its end, before the break
        ("ab\r\ncd", (1, 1), 5),
        ("ab", (7, 0), 2),  # past the last line: the end of the text
        ("ab", (-1, 0), 0),
    ],
)
def test_offset_examples(text: str, position: tuple[int, int], expected: int) -> None:
    assert LineIndex(text).offset(*position) == expected


@pytest.mark.parametrize("encoding", [UTF8, UTF16, UTF32])
@settings(derandomize=True)
@given(text=texts)
def test_positions_match_the_definition(encoding: str, text: str) -> None:
    index = LineIndex(text, encoding)
    for offset in range(len(text) + 1):
        assert index.position(offset) == reference_position(text, offset, encoding)


@pytest.mark.parametrize("encoding", [UTF8, UTF16, UTF32])
@settings(derandomize=True)
@given(text=texts)
def test_offset_undoes_position(encoding: str, text: str) -> None:
    index = LineIndex(text, encoding)
    for offset in range(len(text) + 1):
        inside_crlf = 0 < offset < len(text) and text[offset - 1 : offset + 1] == "\r\n"
        assert index.offset(*index.position(offset)) == (offset - 1 if inside_crlf else offset)


@settings(derandomize=True)
@given(text=texts)
def test_code_units(text: str) -> None:
    assert code_units(text, UTF16) == len(text.encode("utf-16-le")) // 2
    assert code_units(text, UTF8) == len(text.encode("utf-8"))
    assert code_units(text, UTF32) == len(text)
