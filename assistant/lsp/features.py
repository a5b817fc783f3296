"""Findings as the protocol shows them: diagnostics, code actions and hovers."""

from __future__ import annotations

from lsprotocol import types

from ..content import alternatives
from ..rewrite import drop_range, fit_replacement
from ..templating import TemplateError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..detect import Finding
    from .documents import Analysis
    from .positions import LineIndex
    from .settings import Settings

SOURCE = "polite"
IGNORE_COMMAND = "polite.ignoreRule"
REWRITE_TITLE = "Rewrite this demand"
_TITLE_WIDTH = 72

_SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}


def lsp_range(index: LineIndex, start: int, end: int) -> types.Range:
    (start_line, start_character), (end_line, end_character) = index.position(start), index.position(end)
    return types.Range(types.Position(start_line, start_character), types.Position(end_line, end_character))


def diagnostic(finding: Finding, index: LineIndex) -> types.Diagnostic:
    return types.Diagnostic(
        range=lsp_range(index, finding.start, finding.end),
        severity=_SEVERITIES.get(finding.severity, types.DiagnosticSeverity.Warning),
        code=finding.rule,
        source=SOURCE,
        message=f"{finding.message}\nWhy it matters: {finding.why}",
        data={"category": finding.category, "rule": finding.rule},
    )


def config_error_diagnostic(error: str) -> types.Diagnostic:
    """The one diagnostic a document gets when its config cannot be used."""
    return types.Diagnostic(
        range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        severity=types.DiagnosticSeverity.Error,
        source=SOURCE,
        message=f"polite cannot check this document: {error}",
    )


def diagnostics(analysis: Analysis, shown: list[Finding]) -> list[types.Diagnostic]:
    if analysis.error is not None:
        return [config_error_diagnostic(analysis.error)]
    return [diagnostic(f, analysis.index) for f in shown]


# ----------------------------------------------------------------- alternatives
def alternatives_for(settings: Settings, finding: Finding) -> tuple[list[tuple[str, str]], str | None]:
    """(strategy, content-first line) pairs for a finding, or why there are none."""
    if settings.templates is None:
        return [], settings.error
    try:
        return alternatives(settings.templates, finding, settings.profile), None
    except TemplateError as exc:
        return [], str(exc)


# ----------------------------------------------------------------- code actions
class EditTarget:
    """The document the edits of code actions apply to, and how the client takes them."""

    __slots__ = ("document_changes", "uri", "version")

    def __init__(self, uri: str, version: int | None, document_changes: bool) -> None:
        self.uri = uri
        self.version = version
        self.document_changes = document_changes

    def edit(self, edit: types.TextEdit) -> types.WorkspaceEdit:
        if self.document_changes:
            document = types.OptionalVersionedTextDocumentIdentifier(uri=self.uri, version=self.version)
            return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=document, edits=[edit])])
        return types.WorkspaceEdit(changes={self.uri: [edit]})


def code_actions(
    target: EditTarget, analysis: Analysis, finding: Finding, choices: list[tuple[str, str]]
) -> list[types.CodeAction]:
    """Rewrite (drop the demand), one action per content-first alternative, ignore the rule."""
    index = analysis.index
    flagged = [diagnostic(finding, index)]
    start, end = drop_range(analysis.text, finding)
    actions = [
        types.CodeAction(
            title=REWRITE_TITLE,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=flagged,
            is_preferred=True,
            edit=target.edit(types.TextEdit(range=lsp_range(index, start, end), new_text="")),
        )
    ]
    replaced = lsp_range(index, finding.start, finding.end)
    for strategy, line in choices:
        new_text = fit_replacement(analysis.text, finding, line)
        actions.append(
            types.CodeAction(
                title=_shorten(f"Say instead ({strategy}): {new_text}"),
                kind=types.CodeActionKind.QuickFix,
                diagnostics=flagged,
                edit=target.edit(types.TextEdit(range=replaced, new_text=new_text)),
                data={"strategy": strategy},
            )
        )
    title = f"Ignore {finding.rule} in this document"
    actions.append(
        types.CodeAction(
            title=title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=flagged,
            command=types.Command(title=title, command=IGNORE_COMMAND, arguments=[target.uri, finding.rule]),
        )
    )
    return actions


def _shorten(title: str) -> str:
    return title if len(title) <= _TITLE_WIDTH else title[: _TITLE_WIDTH - 1].rstrip() + "…"


# ------------------------------------------------------------------------ hover
def hover_text(finding: Finding, choices: list[tuple[str, str]], problem: str | None) -> str:
    """Markdown: what was found, why it matters, and what to say instead."""
    lines = [
        f"**{_escape(finding.message)}**",
        "",
        f"`{finding.rule}` · {finding.category.replace('_', ' ')} · polite",
        "",
        f"**Why it matters:** {_escape(finding.why)}",
    ]
    if choices:
        lines += ["", "**Say instead:**", *(f"- *{strategy}*: {_escape(text)}" for strategy, text in choices)]
    elif problem:
        lines += ["", f"Alternatives unavailable: {_escape(problem)}"]
    if finding.suggestions:
        lines += ["", "**Tips:**", *(f"- {_escape(tip)}" for tip in finding.suggestions)]
    return "\n".join(lines)


def hover(analysis: Analysis, finding: Finding, choices: list[tuple[str, str]], problem: str | None) -> types.Hover:
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=hover_text(finding, choices, problem)),
        range=lsp_range(analysis.index, finding.start, finding.end),
    )


def _escape(text: str) -> str:
    """Keep prose from turning into markdown (emphasis, code, links, headings)."""
    return "".join("\\" + ch if ch in "\\`*_[]<>#|" else ch for ch in text)
