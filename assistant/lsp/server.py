"""The language server: pygls handles the protocol, this module decides what to say.

Analysis runs in one worker thread, so the server keeps reading messages while a
long document is analysed, and analyses never overlap. A change is analysed once
the editor has been quiet for `DEBOUNCE_SECONDS`; an analysis whose text is no
longer the document's is dropped, so the latest text wins. Hover and code
actions first bring the analysis up to date with the text they are asked about.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar, TypeVarTuple

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.uris import to_fs_path

from .. import __version__
from ..detect import Finding
from . import features
from .documents import Analysis, OpenDocument, overlapping
from .positions import UTF16
from .settings import SettingsCache

_Result = TypeVar("_Result")
_Args = TypeVarTuple("_Args")

DEBOUNCE_SECONDS = 0.1  # coalesces keystrokes typed faster than ten a second
UNSAVED_NAME = "untitled"  # unsaved buffers take the config of the workspace folder


class PoliteProtocol(LanguageServerProtocol):
    """pygls' protocol, except that pygls keeps no copy of the open documents: it
    splits lines where LSP does not (at "\\u2028", "\\x0c" and other characters
    `str.splitlines` breaks at) and then rewrites the ranges of the changes it
    receives in place. The server keeps its own copies (see documents.py)."""

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> Iterator[Any]:
        yield from self._to_server(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Iterator[Any]:
        yield from self._to_server(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> Iterator[Any]:
        yield from self._to_server(types.TEXT_DOCUMENT_DID_CLOSE, params)

    def _to_server(self, method: str, params: object) -> Iterator[Any]:
        """Hand a notification to the server's own handler, the way pygls' built-in handlers do."""
        if (handler := self.fm.features.get(method)) is not None:
            yield handler, (params,), None


class PoliteLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "polite",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=PoliteProtocol,
        )
        self.documents: dict[str, OpenDocument] = {}
        self.settings = SettingsCache()
        self.shutdown_requested = False
        self._root: str | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="polite-analysis")
        self._pending: dict[str, asyncio.Task[Analysis | None]] = {}
        self._shown_errors: set[str] = set()

    # ------------------------------------------------------------- lifecycle
    def on_initialize(self, params: types.InitializeParams) -> None:
        folders = params.workspace_folders or []
        root_uri = folders[0].uri if folders else params.root_uri
        self._root = (to_fs_path(root_uri) if root_uri else None) or params.root_path

    def on_shutdown(self, params: None) -> None:
        self.shutdown_requested = True
        for task in self._pending.values():
            task.cancel()
        self._worker.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------- documents
    async def did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        doc = OpenDocument(item.uri, self._config_path(item.uri), item.text, item.version, self._encoding())
        self.documents[item.uri] = doc
        await self._analyse_now(doc)

    async def did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        doc = self.documents.get(params.text_document.uri)
        if doc is None:
            return
        for change in params.content_changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                start, end = change.range.start, change.range.end
                doc.replace((start.line, start.character), (end.line, end.character), change.text)
            else:
                doc.text = change.text
        doc.version = params.text_document.version
        self._schedule(doc, DEBOUNCE_SECONDS)

    async def did_save(self, params: types.DidSaveTextDocumentParams) -> None:
        doc = self.documents.get(params.text_document.uri)
        if doc is not None:
            await self._analyse_now(doc)

    def did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        self.documents.pop(uri, None)
        pending = self._pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    # ------------------------------------------------------------ requests
    async def code_action(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        only = params.context.only
        if only and not any(types.CodeActionKind.QuickFix.startswith(kind) for kind in only):
            return None
        current = await self._findings_now(params.text_document.uri)
        if current is None:
            return None
        doc, analysis, shown = current
        start = analysis.index.offset(params.range.start.line, params.range.start.character)
        end = analysis.index.offset(params.range.end.line, params.range.end.character)
        target = features.EditTarget(doc.uri, analysis.version, self._client_takes_document_changes())
        actions: list[types.CodeAction] = []
        for finding in overlapping(shown, start, end):
            choices, _problem = await self._in_worker(features.alternatives_for, analysis.settings, finding)
            actions += features.code_actions(target, analysis, finding, choices)
        return actions

    async def hover(self, params: types.HoverParams) -> types.Hover | None:
        current = await self._findings_now(params.text_document.uri)
        if current is None:
            return None
        _doc, analysis, shown = current
        offset = analysis.index.offset(params.position.line, params.position.character)
        found = overlapping(shown, offset, offset)
        if not found:
            return None
        choices, problem = await self._in_worker(features.alternatives_for, analysis.settings, found[0])
        return features.hover(analysis, found[0], choices, problem)

    async def ignore_rule(self, uri: str, rule: str) -> None:
        """The "Ignore <rule> in this document" command: hide the rule's findings here."""
        doc = self.documents.get(uri)
        if doc is None or rule in doc.ignored_rules:
            return
        doc.ignored_rules.add(rule)
        if doc.is_current(doc.analysis) and doc.analysis is not None:
            self._publish(doc, doc.analysis)
        else:
            await self._analyse_now(doc)

    async def _findings_now(self, uri: str) -> tuple[OpenDocument, Analysis, list[Finding]] | None:
        """The document, its analysis brought up to date, and the findings it shows."""
        doc = self.documents.get(uri)
        if doc is None:
            return None
        analysis = doc.analysis if doc.is_current(doc.analysis) else await self._analyse_now(doc)
        if analysis is None or analysis.error is not None:
            return None
        return doc, analysis, doc.shown(analysis)

    # ------------------------------------------------------------ analysis
    def _schedule(self, doc: OpenDocument, delay: float) -> None:
        self._cancel_pending(doc.uri)
        self._pending[doc.uri] = asyncio.ensure_future(self._analyse_after(doc, delay))

    async def _analyse_after(self, doc: OpenDocument, delay: float) -> Analysis | None:
        await asyncio.sleep(delay)
        return await self._refresh(doc)

    async def _analyse_now(self, doc: OpenDocument) -> Analysis | None:
        self._cancel_pending(doc.uri)
        return await self._refresh(doc)

    def _cancel_pending(self, uri: str) -> None:
        pending = self._pending.pop(uri, None)
        if pending is not None and pending is not asyncio.current_task():
            pending.cancel()

    async def _refresh(self, doc: OpenDocument) -> Analysis | None:
        """Analyse the document's current text and publish the diagnostics, unless the
        text changed (or the document closed) in the meantime."""
        try:
            analysis = await self._in_worker(self._analysis_job, doc, doc.text, doc.version)
        except Exception as exc:  # noqa: BLE001 - one document polite cannot check must not stop the server
            self._say_once(f"polite could not check {doc.uri}: {exc!r}")
            return None
        if self.documents.get(doc.uri) is not doc or not doc.is_current(analysis):
            return None
        doc.analysis = analysis
        if analysis.error is not None:
            self._say_once(f"polite: {analysis.error}")
        self._publish(doc, analysis)
        return analysis

    def _analysis_job(self, doc: OpenDocument, text: str, version: int | None) -> Analysis:
        """Runs in the worker thread, which alone touches settings and analysis caches."""
        return doc.analyse(text, version, self.settings.for_document(doc.path))

    def _publish(self, doc: OpenDocument, analysis: Analysis) -> None:
        diagnostics = features.diagnostics(analysis, doc.shown(analysis))
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=doc.uri, version=analysis.version, diagnostics=diagnostics)
        )

    async def _in_worker(self, function: Callable[[*_Args], _Result], *args: *_Args) -> _Result:
        return await asyncio.get_running_loop().run_in_executor(self._worker, function, *args)

    def _say_once(self, error: str) -> None:
        """Show an error in the editor's message area, once however often it recurs."""
        if error not in self._shown_errors:
            self._shown_errors.add(error)
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=error))

    # ------------------------------------------------------------- helpers
    def _config_path(self, uri: str) -> str:
        """The file whose folder's config applies: the document's own file, or for an
        unsaved buffer a name in the workspace folder (else the current folder)."""
        path = to_fs_path(uri) if uri.startswith("file:") else None
        return path or os.path.join(self._root or os.getcwd(), UNSAVED_NAME)

    def _encoding(self) -> str:
        encoding = self.workspace.position_encoding
        return str(getattr(encoding, "value", encoding) or UTF16)

    def _client_takes_document_changes(self) -> bool:
        return bool(get_capability(self.client_capabilities, "workspace.workspace_edit.document_changes", False))


def create_server() -> PoliteLanguageServer:
    server = PoliteLanguageServer()
    code_actions = types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix])
    handlers: list[tuple[str, object, Callable[..., object]]] = [
        (types.INITIALIZE, None, server.on_initialize),
        (types.SHUTDOWN, None, server.on_shutdown),
        (types.TEXT_DOCUMENT_DID_OPEN, None, server.did_open),
        (types.TEXT_DOCUMENT_DID_CHANGE, None, server.did_change),
        (types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False), server.did_save),
        (types.TEXT_DOCUMENT_DID_CLOSE, None, server.did_close),
        (types.TEXT_DOCUMENT_CODE_ACTION, code_actions, server.code_action),
        (types.TEXT_DOCUMENT_HOVER, None, server.hover),
    ]
    # pygls tags each handler with attributes, which bound methods cannot take: wrap them.
    for method, options, handler in handlers:
        server.feature(method, options)(partial(handler))
    server.command(features.IGNORE_COMMAND)(partial(server.ignore_rule))
    return server


def serve() -> int:
    """Serve on standard input and output until the client says exit; the exit
    status is 0 when it asked for shutdown first, as the protocol wants."""
    server = create_server()
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the protocol stream
    server.start_io(sys.stdin.buffer, protocol_out)
    return 0 if server.shutdown_requested else 1
