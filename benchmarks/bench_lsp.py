"""Diagnostics latency of `polite lsp` on a 10,000-line document.

    python benchmarks/bench_lsp.py [--runs N] [--kind mixed|one-section|dense|all]

Starts the real server as a subprocess and talks to it with pygls' client over
stdio: opens a 10,000-line document, then, run after run, types a demand into
the middle of it (or deletes it again) and measures the time from sending
didChange until the publishDiagnostics for that version has arrived. That time
includes the server's debounce. The baseline, measured in the same run, is one
`analyse` of the whole text in this process: what a server that re-analysed the
whole document on every change would spend after the debounce, before even
sending anything; the ratio compares it with the server's whole time after the
debounce (analysis, diagnostics, the trip through the pipes).

Not part of the test suite: the machines are shared and noisy, so these are
figures to read, not pass/fail checks. The target is 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import generate
from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.protocol import LanguageServerProtocol

from assistant.detect import analyse
from assistant.lsp.server import DEBOUNCE_SECONDS
from assistant.phrasebook import load_ruleset

PYTHON = sys.executable
POLITE = str(Path(PYTHON).with_name("polite")) if Path(PYTHON).with_name("polite").exists() else shutil.which("polite")
LINES = 10_000
TARGET_MS = 200
TYPED = " Follow me back and I'll follow you!"
SETTLE_SECONDS = 0.3  # between runs, so that no run's debounce overlaps the next


class TimingProtocol(LanguageServerProtocol):
    """Notes when each publishDiagnostics arrives: as soon as its JSON is read, before
    pygls turns it into lsprotocol objects (the client's cost, not the server's)."""

    arrivals: dict[int | None, float]

    def structure_message(self, data: dict[str, Any]) -> Any:
        if data.get("method") == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
            self.arrivals[data["params"].get("version")] = time.perf_counter()
        return super().structure_message(data)


def document(kind: str) -> str:
    """Exactly LINES lines of benchmarks/generate.py text of the given kind."""
    size = 200_000
    while (text := generate.text(size, kind)).count("\n") < LINES:
        size *= 2
    return "\n".join(text.split("\n")[:LINES]) + "\n"


async def measure(kind: str, runs: int, folder: Path) -> dict[str, Any]:
    text = document(kind)
    path = folder / f"{kind}.md"
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client = LanguageClient("bench-lsp", "1", protocol_cls=TimingProtocol)
    client.protocol.arrivals = {}  # type: ignore[attr-defined]
    published: dict[int | None, int] = {}
    arrived = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_publish(params: types.PublishDiagnosticsParams) -> None:
        published[params.version] = len(params.diagnostics)
        arrived.set()

    async def wait_for(version: int) -> None:
        while version not in published:
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), 120)

    await client.start_io(POLITE, "lsp", env=os.environ.copy())
    capabilities = types.ClientCapabilities()
    await client.initialize_async(types.InitializeParams(capabilities=capabilities, root_uri=folder.as_uri()))
    client.initialized(types.InitializedParams())

    started = time.perf_counter()
    item = types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=text)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
    await wait_for(1)
    opened = time.perf_counter() - started

    line = LINES // 2
    end_of_line = len(text.split("\n")[line])
    latencies = []
    for version in range(2, runs + 2):
        await asyncio.sleep(SETTLE_SECONDS)
        if version % 2 == 0:  # type the demand at the end of the middle line
            at = types.Position(line=line, character=end_of_line)
            change = types.TextDocumentContentChangePartial(range=types.Range(start=at, end=at), text=TYPED)
        else:  # and delete it again
            start = types.Position(line=line, character=end_of_line)
            stop = types.Position(line=line, character=end_of_line + len(TYPED))
            change = types.TextDocumentContentChangePartial(range=types.Range(start=start, end=stop), text="")
        identifier = types.VersionedTextDocumentIdentifier(uri=uri, version=version)
        sent = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(text_document=identifier, content_changes=[change])
        )
        await wait_for(version)
        latencies.append(client.protocol.arrivals[version] - sent)  # type: ignore[attr-defined]

    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return {"text": text, "opened": opened, "latencies": latencies, "diagnostics": published[runs + 1]}


def baseline(text: str, runs: int) -> list[float]:
    ruleset = load_ruleset()
    analyse(text, ruleset)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        analyse(text, ruleset)
        samples.append(time.perf_counter() - started)
    return samples


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def report(kind: str, result: dict[str, Any], whole: list[float]) -> None:
    latencies = result["latencies"]
    median = statistics.median(latencies)
    work = median - DEBOUNCE_SECONDS
    baseline_median = statistics.median(whole)
    verdict = "within" if median * 1000 <= TARGET_MS else "OVER"
    print(f"\n== {kind}: {LINES:,} lines, {len(result['text']):,} characters, {result['diagnostics']} diagnostics")
    print(f"  didOpen -> diagnostics     {ms(result['opened'])}")
    print(
        f"  didChange -> diagnostics   median {ms(median)} (min {ms(min(latencies)).strip()}, "
        f"max {ms(max(latencies)).strip()}, {len(latencies)} runs)   {verdict} the {TARGET_MS} ms target"
    )
    print(
        f"  after the debounce         median {ms(work)}   vs analyse of the whole text {ms(baseline_median).strip()}"
        f" in this process: {work / baseline_median:.2f}x"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="changes to time per document (default 15)")
    parser.add_argument(
        "--kind",
        choices=["mixed", "one-section", "dense", "all"],
        default="all",
        help="document shape (see benchmarks/generate.py); default: all three",
    )
    args = parser.parse_args()
    if not POLITE:
        print("polite is not installed in this environment", file=sys.stderr)
        return 2
    print(f"polite: {POLITE}\npython: {PYTHON} {sys.version.split()[0]}, {os.cpu_count()} cpus")
    print(f"server debounce: {DEBOUNCE_SECONDS * 1000:.0f} ms (included in every change latency)")
    folder = Path(tempfile.mkdtemp(prefix="polite-bench-lsp-"))
    os.environ.setdefault("POLITE_CACHE_DIR", str(folder / "cache"))
    os.environ.setdefault("POLITE_USER_CONFIG", str(folder / "none.toml"))
    try:
        for kind in ["mixed", "one-section", "dense"] if args.kind == "all" else [args.kind]:
            result = asyncio.run(measure(kind, args.runs, folder))
            report(kind, result, baseline(result["text"], 5))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
