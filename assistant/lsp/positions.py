"""Offsets as Python counts them, positions as the Language Server Protocol does.

Findings carry code-point offsets into the text (Python string indices). LSP
positions are (line, character): lines end at "\\n", "\\r\\n" or "\\r", and
characters count code units of the negotiated encoding, UTF-16 unless the client
asked for another. A character outside the Basic Multilingual Plane (most emoji)
is one code point but two UTF-16 code units, so the two counts drift apart after
the first emoji on a line.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LONE_CR = re.compile(r"\r(?!\n)")


def code_units(text: str, encoding: str = UTF16) -> int:
    """Length of `text` in code units of `encoding`."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class LineIndex:
    """Converts between offsets and positions for one version of a text."""

    __slots__ = ("_starts", "encoding", "text")

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.text = text
        self.encoding = encoding
        if "\r" in text and _LONE_CR.search(text):
            self._starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]
        else:  # only "\n" ends lines ("\r\n" too ends in one): a faster way to the same starts
            self._starts = list(accumulate((len(line) + 1 for line in text.split("\n")[:-1]), initial=0))

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def line_of(self, offset: int) -> int:
        """0-based line of a code-point offset."""
        return bisect_right(self._starts, offset) - 1

    def position(self, offset: int) -> tuple[int, int]:
        """(line, character) of a code-point offset, clamped to the text.
        An offset between the "\\r" and "\\n" of a line break maps to the end of its line."""
        offset = min(max(offset, 0), len(self.text))
        line = self.line_of(offset)
        start = self._starts[line]
        stop = min(offset, self._content_end(line))
        return line, code_units(self.text[start:stop], self.encoding)

    def offset(self, line: int, character: int) -> int:
        """Code-point offset of an LSP position. A line past the end means the end of
        the text; a character past the end of its line means the end of that line; a
        character inside a surrogate pair or a UTF-8 sequence means the start of it."""
        if line < 0:
            return 0
        if line >= len(self._starts):
            return len(self.text)
        start = self._starts[line]
        content = self.text[start : self._content_end(line)]
        if self.encoding == UTF32 or content.isascii():
            return start + min(max(character, 0), len(content))
        units = 0
        for index, char in enumerate(content):
            units += code_units(char, self.encoding)
            if units > character:
                return start + index
        return start + len(content)

    def _content_end(self, line: int) -> int:
        """Offset where `line`'s text ends, before its line break."""
        if line + 1 >= len(self._starts):
            return len(self.text)
        end = self._starts[line + 1]
        if self.text[end - 1] == "\n":
            end -= 1
            if end > self._starts[line] and self.text[end - 1] == "\r":
                end -= 1
        else:  # a lone "\r"
            end -= 1
        return end
