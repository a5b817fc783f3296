"""`polite lsp` end to end: a real client (pytest-lsp, on pygls) drives the server over stdio.

Expected ranges are computed here independently of the server: code-point offsets
from `analyse`, converted to LSP positions by re-encoding the text as UTF-16 (or
UTF-8). Nothing is timed: every wait is for a message, with a generous ceiling so
that a broken server fails the test instead of hanging it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any, Union

import cattrs
import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from assistant.detect import analyse
from assistant.phrasebook import load_ruleset

from .conftest import DATA, load_jsonl, polite_executable

PUBLISH = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
WAIT_CEILING = 120  # seconds; only reached when the server never answers

ENDORSE = "I endorsed you for Python, now endorse me back."
SUBSCRIBE = "Subscribe to my channel and I'll subscribe back."
DRAFT = f"Hi Dana,\nLoved your talk on pricing.\n{ENDORSE}\nSee you at the meetup.\nSam\n"
TWO_RULES = f"Loved your thread on glazes.\n\n{ENDORSE}\n\n\n{SUBSCRIBE}\n"


# ------------------------------------------------------------------ the client
class RecordingClient(LanguageClient):
    """pytest-lsp's client, also keeping every publishDiagnostics in arrival order."""

    def __init__(self) -> None:
        super().__init__(converter_factory=_converter)
        self.published: list[types.PublishDiagnosticsParams] = []


def _record(client: RecordingClient, params: types.PublishDiagnosticsParams) -> None:
    client.published.append(params)
    client.diagnostics[params.uri] = params.diagnostics


def _converter() -> cattrs.Converter:
    converter = default_converter()

    def command_or_code_action(obj: dict[str, Any], _type: object) -> types.Command | types.CodeAction:
        # lsprotocol reads anything with a "command" key as a Command, but a CodeAction
        # may carry a Command object too (the "Ignore" action does).
        wanted = types.Command if isinstance(obj.get("command"), str) else types.CodeAction
        return converter.structure(obj, wanted)  # type: ignore[no-any-return]

    converter.register_structure_hook(Union[types.Command, types.CodeAction], command_or_code_action)  # noqa: UP007
    return converter


def make_client() -> RecordingClient:
    client = RecordingClient()
    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES, PUBLISH: _record})
    return client


SERVER = ClientServerConfig(server_command=[*polite_executable(), "lsp"], client_factory=make_client)


def initialize_params(root: Path, editor: str = "visual-studio-code") -> types.InitializeParams:
    return types.InitializeParams(
        capabilities=client_capabilities(editor),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="drafts")],
    )


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: RecordingClient, tmp_path: Path) -> AsyncIterator[None]:
    lsp_client.init_result = await lsp_client.initialize_session(initialize_params(tmp_path))  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def nvim_client(lsp_client: RecordingClient, tmp_path: Path) -> AsyncIterator[None]:
    """Neovim offers UTF-8 positions first, so the server counts in UTF-8."""
    await lsp_client.initialize_session(initialize_params(tmp_path, "neovim"))
    yield
    await lsp_client.shutdown_session()


# ------------------------------------------------------- reference conversions
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def position_at(text: str, offset: int, encoding: str = "utf-16-le") -> types.Position:
    lines = _LINE_BREAK.split(text[:offset])
    width = 2 if encoding == "utf-16-le" else 1
    return types.Position(line=len(lines) - 1, character=len(lines[-1].encode(encoding)) // width)


def range_of(text: str, start: int, end: int, encoding: str = "utf-16-le") -> types.Range:
    return types.Range(start=position_at(text, start, encoding), end=position_at(text, end, encoding))


def offset_at(text: str, position: types.Position) -> int:
    starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]
    start = starts[position.line]
    line = _LINE_BREAK.split(text[start:], maxsplit=1)[0]
    units = line.encode("utf-16-le")[: 2 * position.character]
    return start + len(units.decode("utf-16-le"))


def apply(text: str, edits: Sequence[types.TextEdit]) -> str:
    spans = sorted(
        ((offset_at(text, e.range.start), offset_at(text, e.range.end), e.new_text) for e in edits), reverse=True
    )
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


def expected_ranges(text: str, encoding: str = "utf-16-le") -> list[tuple[str, types.Range]]:
    _doc, findings = analyse(text, load_ruleset())
    return [(f.rule, range_of(text, f.start, f.end, encoding)) for f in findings]


# ------------------------------------------------------------------- helpers
async def published(
    client: RecordingClient, uri: str, version: int | None = None, after: int = 0
) -> list[types.Diagnostic]:
    """The diagnostics of the first publish for `uri` (and `version`) from index `after` on."""
    try:
        async with asyncio.timeout(WAIT_CEILING):
            while True:
                for params in client.published[after:]:
                    if params.uri == uri and (version is None or params.version == version):
                        return list(params.diagnostics)
                await client.wait_for_notification(PUBLISH)
    except TimeoutError:
        seen = [(p.uri, p.version, len(p.diagnostics)) for p in client.published]
        messages = [m.message for m in client.messages]
        raise AssertionError(
            f"no diagnostics for {uri} version {version}; published {seen}; messages {messages}"
        ) from None


def open_document(client: RecordingClient, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    item = types.TextDocumentItem(uri=uri, language_id="plaintext", version=version, text=text)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
    return uri


def change(client: RecordingClient, uri: str, version: int, edit: types.TextEdit) -> None:
    """Send an edit the way editors do: as an incremental change."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text)],
        )
    )


async def actions_at(client: RecordingClient, uri: str, diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic]),
    )
    result = await client.text_document_code_action_async(params)
    assert result is not None
    assert all(isinstance(action, types.CodeAction) for action in result)
    return [action for action in result if isinstance(action, types.CodeAction)]


def edits_of(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    assert action.edit is not None and action.edit.document_changes is not None
    (document_edit,) = action.edit.document_changes
    assert isinstance(document_edit, types.TextDocumentEdit)
    assert document_edit.text_document.uri == uri
    return [e for e in document_edit.edits if isinstance(e, types.TextEdit)]


# --------------------------------------------------------------------- tests
@pytest.mark.asyncio
async def test_initialize_announces_what_the_server_does(client: RecordingClient) -> None:
    result: types.InitializeResult = client.init_result  # type: ignore[attr-defined]
    capabilities = result.capabilities
    assert result.server_info is not None and result.server_info.name == "polite"
    assert capabilities.position_encoding == types.PositionEncodingKind.Utf16
    sync = capabilities.text_document_sync
    assert isinstance(sync, types.TextDocumentSyncOptions)
    assert sync.open_close and sync.change == types.TextDocumentSyncKind.Incremental and sync.save
    assert isinstance(capabilities.code_action_provider, types.CodeActionOptions)
    assert capabilities.hover_provider
    assert capabilities.execute_command_provider is not None
    assert "polite.ignoreRule" in capabilities.execute_command_provider.commands


@pytest.mark.asyncio
async def test_open_publishes_one_diagnostic_per_finding(client: RecordingClient, tmp_path: Path) -> None:
    uri = open_document(client, tmp_path / "draft.txt", DRAFT)
    (diagnostic,) = await published(client, uri, version=1)
    start = DRAFT.index(ENDORSE)
    assert diagnostic.range == range_of(DRAFT, start, start + len(ENDORSE))
    assert diagnostic.range == types.Range(types.Position(2, 0), types.Position(2, len(ENDORSE)))
    assert diagnostic.source == "polite"
    assert diagnostic.code == "endorsement_swap.explicit"
    assert diagnostic.severity == types.DiagnosticSeverity.Warning
    assert diagnostic.data == {"category": "endorsement_swap", "rule": "endorsement_swap.explicit"}
    message, why = diagnostic.message.split("\nWhy it matters: ")
    assert message and why


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"Hi Ana 👋,\n🎉🎉 Great launch! {ENDORSE}\nThanks,\nSam\n", id="emoji-before-on-both-lines"),
        pytest.param(f"Hi Dana,\r\nLoved your talk 🎤.\r\n🎤 {ENDORSE}\r\nSee you.\r\nSam\r\n", id="crlf"),
        pytest.param(f"𝒯𝒽𝒶𝓃𝓀𝓈 for the 🫶!\rSee you 👋🏽.\r\r🎉 {ENDORSE} 😀\r", id="lone-cr-and-astral"),
        # LINE SEPARATOR and form feed end no line for LSP (Python's splitlines would split there).
        pytest.param(f"Notes\u2028from 🎉 the\x0cmeetup. 🎤 {ENDORSE}\n", id="no-line-break-characters"),
    ],
)
async def test_ranges_count_utf16_code_units(client: RecordingClient, tmp_path: Path, text: str) -> None:
    uri = open_document(client, tmp_path / "draft.txt", text)
    diagnostics = await published(client, uri, version=1)
    assert [(d.code, d.range) for d in diagnostics] == expected_ranges(text)
    (flagged,) = (d for d in diagnostics if d.code == "endorsement_swap.explicit")
    start, end = offset_at(text, flagged.range.start), offset_at(text, flagged.range.end)
    assert ENDORSE in text[start:end]
    # Astral characters earlier on the line: the UTF-16 column is past the code-point column.
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    astral = sum(ord(ch) > 0xFFFF for ch in text[line_start:start])
    assert astral > 0
    assert flagged.range.start.character == start - line_start + astral


@pytest.mark.asyncio
async def test_positions_follow_the_negotiated_encoding(nvim_client: RecordingClient, tmp_path: Path) -> None:
    text = f"🎉🎉 Great launch! {ENDORSE}\n"
    uri = open_document(nvim_client, tmp_path / "draft.txt", text)
    (diagnostic,) = await published(nvim_client, uri, version=1)
    start = text.index(ENDORSE)
    assert diagnostic.range == range_of(text, start, start + len(ENDORSE), encoding="utf-8")
    assert diagnostic.range.start.character == len(text[:start].encode("utf-8"))


@pytest.mark.asyncio
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
async def test_rewrite_action_removes_the_demand(
    client: RecordingClient, tmp_path: Path, polite: Any, newline: str
) -> None:
    text = DRAFT.replace("\n", newline)
    uri = open_document(client, tmp_path / "draft.txt", text)
    (diagnostic,) = await published(client, uri, version=1)
    actions = await actions_at(client, uri, diagnostic)
    rewrite = next(a for a in actions if a.title == "Rewrite this demand")
    assert rewrite.kind == types.CodeActionKind.QuickFix and rewrite.is_preferred
    assert list(rewrite.diagnostics or []) == [diagnostic]
    (edit,) = edits_of(rewrite, uri)
    fixed = apply(text, [edit])
    # The safe edit is exactly what `polite rewrite` does to the same draft.
    assert fixed == polite("rewrite", "-", input=text).stdout_bytes.decode("utf-8")
    assert ENDORSE not in fixed and fixed.count(newline) == text.count(newline) - 1
    change(client, uri, 2, edit)
    assert await published(client, uri, version=2) == []


@pytest.mark.asyncio
async def test_alternative_action_replaces_the_demand(client: RecordingClient, tmp_path: Path) -> None:
    text = f"Hi Dana, {ENDORSE} See you at the meetup.\n"
    uri = open_document(client, tmp_path / "draft.txt", text)
    (diagnostic,) = await published(client, uri, version=1)
    actions = await actions_at(client, uri, diagnostic)
    alternatives = [a for a in actions if a.title.startswith("Say instead (")]
    assert len(alternatives) >= 2
    strategies = [a.data["strategy"] for a in alternatives if isinstance(a.data, dict)]
    assert len(set(strategies)) == len(alternatives)
    (edit,) = edits_of(alternatives[0], uri)
    assert edit.range == diagnostic.range  # the demand's own span, nothing around it
    fixed = apply(text, [edit])
    assert fixed == text.replace(ENDORSE, edit.new_text)
    assert edit.new_text[:1].islower()  # after "Hi Dana," the line continues the sentence
    change(client, uri, 2, edit)
    assert await published(client, uri, version=2) == []


@pytest.mark.asyncio
async def test_ignore_action_hides_that_rule_in_this_document_only(client: RecordingClient, tmp_path: Path) -> None:
    uri = open_document(client, tmp_path / "a.txt", TWO_RULES)
    other = open_document(client, tmp_path / "b.txt", TWO_RULES)
    diagnostics = await published(client, uri, version=1)
    await published(client, other, version=1)
    assert sorted(str(d.code) for d in diagnostics) == [
        "comment_or_subscribe_swap.explicit",
        "endorsement_swap.explicit",
    ]
    endorse = next(d for d in diagnostics if d.code == "endorsement_swap.explicit")
    ignore = next(a for a in await actions_at(client, uri, endorse) if a.title.startswith("Ignore"))
    assert ignore.title == "Ignore endorsement_swap.explicit in this document"
    assert ignore.command is not None and ignore.command.arguments is not None
    mark = len(client.published)
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=ignore.command.command, arguments=list(ignore.command.arguments))
    )
    remaining = await published(client, uri, after=mark)
    assert [d.code for d in remaining] == ["comment_or_subscribe_swap.explicit"]
    # The other document still shows both.
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=other))
    )
    assert len(await published(client, other, after=mark)) == 2


@pytest.mark.asyncio
async def test_changes_are_debounced_and_the_latest_text_wins(client: RecordingClient, tmp_path: Path) -> None:
    text = "Loved your thread on glazes.\n"
    uri = open_document(client, tmp_path / "draft.txt", text)
    assert await published(client, uri, version=1) == []
    end = position_at(text, len(text))
    typed = ["I endorsed you", " for Python,", " now endorse me back.\n"]
    for version, piece in enumerate(typed, start=2):
        change(client, uri, version, types.TextEdit(range=types.Range(start=end, end=end), new_text=piece))
        text += piece
        end = position_at(text, len(text))
    final = await published(client, uri, version=4)
    assert [(d.code, d.range) for d in final] == expected_ranges(text)
    # Whatever was published on the way, nothing older came after the final text.
    versions = [p.version for p in client.published if p.uri == uri]
    assert versions[-1] == 4 and versions == sorted(versions)


@pytest.mark.asyncio
async def test_edits_after_characters_that_break_no_line(client: RecordingClient, tmp_path: Path) -> None:
    """The server applies changes by LSP's lines, not Python's, so edits land where the editor put them."""
    text = "Notes\u2028from the 🎉 meetup\x0c and more.\r\nSee you soon.\n"
    uri = open_document(client, tmp_path / "draft.txt", text)
    assert await published(client, uri, version=1) == []
    at = position_at(text, text.index(" and more."))
    change(client, uri, 2, types.TextEdit(range=types.Range(start=at, end=at), new_text=f". {ENDORSE}"))
    text = text.replace(" and more.", f". {ENDORSE} and more.")
    diagnostics = await published(client, uri, version=2)
    assert diagnostics and [(d.code, d.range) for d in diagnostics] == expected_ranges(text)


@pytest.mark.asyncio
async def test_save_republishes(client: RecordingClient, tmp_path: Path) -> None:
    uri = open_document(client, tmp_path / "draft.txt", DRAFT)
    first = await published(client, uri, version=1)
    mark = len(client.published)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert await published(client, uri, version=1, after=mark) == first


@pytest.mark.asyncio
async def test_close_clears_the_diagnostics(client: RecordingClient, tmp_path: Path) -> None:
    uri = open_document(client, tmp_path / "draft.txt", DRAFT)
    await published(client, uri, version=1)
    mark = len(client.published)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert await published(client, uri, after=mark) == []


@pytest.mark.asyncio
async def test_hover_shows_why_and_alternatives(client: RecordingClient, tmp_path: Path) -> None:
    text = f"Hi Ana 👋,\n🎉 {ENDORSE}\n"
    uri = open_document(client, tmp_path / "draft.txt", text)
    (diagnostic,) = await published(client, uri, version=1)
    document = types.TextDocumentIdentifier(uri=uri)
    inside = position_at(text, text.index("endorse me"))
    hover = await client.text_document_hover_async(types.HoverParams(text_document=document, position=inside))
    assert hover is not None and hover.range == diagnostic.range
    assert isinstance(hover.contents, types.MarkupContent) and hover.contents.kind == types.MarkupKind.Markdown
    value = hover.contents.value
    assert "**Why it matters:**" in value and "**Say instead:**" in value
    assert "endorsement\\_swap.explicit" in value or "endorsement_swap.explicit" in value
    outside = types.Position(line=0, character=1)
    assert await client.text_document_hover_async(types.HoverParams(text_document=document, position=outside)) is None


@pytest.mark.asyncio
async def test_workspace_config_applies_and_reloads(client: RecordingClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.polite]\nseverity = { endorsement_swap = "error" }\n', encoding="utf-8"
    )
    uri = open_document(client, tmp_path / "notes" / "draft.txt", TWO_RULES)
    diagnostics = await published(client, uri, version=1)
    severities = {str(d.code): d.severity for d in diagnostics}
    assert severities["endorsement_swap.explicit"] == types.DiagnosticSeverity.Error
    assert severities["comment_or_subscribe_swap.explicit"] == types.DiagnosticSeverity.Warning
    # A nearer polite.toml takes over as soon as it exists.
    (tmp_path / "notes").mkdir(exist_ok=True)
    (tmp_path / "notes" / "polite.toml").write_text('ignore = ["comment_or_subscribe_swap"]\n', encoding="utf-8")
    mark = len(client.published)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert [d.code for d in await published(client, uri, after=mark)] == ["endorsement_swap.explicit"]


@pytest.mark.asyncio
async def test_invalid_config_is_one_error_not_a_crash(client: RecordingClient, tmp_path: Path) -> None:
    (tmp_path / "polite.toml").write_text("colour = 'blue'\n", encoding="utf-8")
    uri = open_document(client, tmp_path / "draft.txt", DRAFT)
    (diagnostic,) = await published(client, uri, version=1)
    assert diagnostic.severity == types.DiagnosticSeverity.Error and diagnostic.source == "polite"
    assert "colour" in diagnostic.message
    assert any("colour" in m.message and m.type == types.MessageType.Error for m in client.messages)
    # Still serving: fix the config, save, and the findings come back.
    (tmp_path / "polite.toml").write_text("", encoding="utf-8")
    mark = len(client.published)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert [d.code for d in await published(client, uri, after=mark)] == ["endorsement_swap.explicit"]


@pytest.mark.asyncio
async def test_long_document_edited_in_the_middle(client: RecordingClient, tmp_path: Path) -> None:
    """Long documents are analysed piece by piece; the diagnostics are still exact."""
    drafts = [str(row["text"]) for row in load_jsonl(DATA / "heldout_drafts.jsonl")]
    text = "\n\n---\n\n".join(drafts)
    assert len(text) > 20_000
    uri = open_document(client, tmp_path / "drafts.md", text)
    diagnostics = await published(client, uri, version=1)
    assert [(d.code, d.range) for d in diagnostics] == expected_ranges(text)
    middle = text.index("\n\n---\n\n", len(text) // 2)
    at = position_at(text, middle)
    insertion = f"\n\n---\n\nThanks in advance! 🙏 {ENDORSE}"
    change(client, uri, 2, types.TextEdit(range=types.Range(start=at, end=at), new_text=insertion))
    text = text[:middle] + insertion + text[middle:]
    diagnostics = await published(client, uri, version=2)
    assert [(d.code, d.range) for d in diagnostics] == expected_ranges(text)


# ------------------------------------------------------------- the lifecycle
@pytest.mark.asyncio
@pytest.mark.parametrize(("shutdown_first", "status"), [(True, 0), (False, 1)])
async def test_exit_status_says_whether_shutdown_came_first(tmp_path: Path, shutdown_first: bool, status: int) -> None:
    lsp = await SERVER.start()
    assert isinstance(lsp, RecordingClient)
    try:
        await lsp.initialize_session(initialize_params(tmp_path))
        if shutdown_first:
            assert await lsp.shutdown_async(None) is None
        lsp.exit(None)
        assert lsp._server is not None
        async with asyncio.timeout(WAIT_CEILING):
            assert await lsp._server.wait() == status
    finally:
        await lsp.stop()


def test_lsp_help_names_the_command(polite: Any) -> None:
    run = polite("lsp", "--help")
    assert run.returncode == 0 and "language server" in run.stdout.lower()
