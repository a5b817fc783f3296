"""Open documents: the text as the editor has it, and what polite found in it.

The server keeps its own copy of each text and applies the editor's changes to
it with `LineIndex`, so a change lands where the editor meant it whatever line
breaks (\\n, \\r\\n, \\r) and astral characters the text holds.
"""

from __future__ import annotations

from .incremental import IncrementalAnalyser
from .positions import UTF16, LineIndex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..detect import Finding
    from ..rules import Ruleset
    from .settings import Settings

ClientPosition = tuple[int, int]  # (line, character) as the client counts them


class Analysis:
    """The findings for one version of a document's text."""

    __slots__ = ("error", "findings", "index", "settings", "text", "version")

    def __init__(
        self, text: str, version: int | None, settings: Settings, findings: list[Finding], index: LineIndex
    ) -> None:
        self.text = text
        self.version = version
        self.settings = settings
        self.findings = findings
        self.error = settings.error
        self.index = index


def overlapping(findings: list[Finding], start: int, end: int) -> list[Finding]:
    """Findings that overlap [start, end), or touch `start` when the range is empty."""
    if start == end:
        return [f for f in findings if f.start <= start <= f.end]
    return [f for f in findings if f.start < end and start < f.end]


class OpenDocument:
    """A document the editor has open: its text and version, the rules ignored in it,
    and its latest analysis."""

    __slots__ = ("_analyser", "_index", "analysis", "encoding", "ignored_rules", "path", "text", "uri", "version")

    def __init__(self, uri: str, path: str, text: str, version: int | None, encoding: str = UTF16) -> None:
        self.uri = uri
        self.path = path  # where its config is looked up (a file in the workspace for unsaved buffers)
        self.text = text
        self.version = version
        self.encoding = encoding
        self.ignored_rules: set[str] = set()
        self.analysis: Analysis | None = None
        self._analyser: IncrementalAnalyser | None = None
        self._index: LineIndex | None = None

    def replace(self, start: ClientPosition, end: ClientPosition, new_text: str) -> None:
        """Apply one incremental change from the editor."""
        index = self.line_index(self.text)
        a, b = index.offset(*start), index.offset(*end)
        self.text = self.text[:a] + new_text + self.text[max(a, b) :]

    def line_index(self, text: str) -> LineIndex:
        """The LineIndex of `text` (a version of this document), kept for the next call."""
        index = self._index
        if index is None or index.text is not text:
            index = self._index = LineIndex(text, self.encoding)
        return index

    def is_current(self, analysis: Analysis | None) -> bool:
        return analysis is not None and analysis.text is self.text and analysis.version == self.version

    def shown(self, analysis: Analysis) -> list[Finding]:
        """The findings to show: all but those of the rules ignored in this document."""
        return [f for f in analysis.findings if f.rule not in self.ignored_rules]

    def analyse(self, text: str, version: int | None, settings: Settings) -> Analysis:
        """The findings for `text` (a version of this document) under `settings`.
        Runs in the analysis thread."""
        findings: list[Finding] = []
        if settings.ruleset is not None:
            findings = self._analyser_for(settings.ruleset).findings(text)
        return Analysis(text, version, settings, findings, self.line_index(text))

    def _analyser_for(self, ruleset: Ruleset) -> IncrementalAnalyser:
        """The analyser (and its cache of pieces) of the rule set in use."""
        if self._analyser is None or self._analyser.ruleset is not ruleset:
            self._analyser = IncrementalAnalyser(ruleset)
        return self._analyser
