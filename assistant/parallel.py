"""`polite check` on a long text, in two processes at once.

A long text can be cut into pieces whose analyses, joined, give the findings of
the whole text (lsp/incremental.py says when). Where the system can fork and
this process may run on two or more cores, a child process analyses the second
half of the text while this one analyses the first, and the two halves are
joined as the language server joins its pieces. Anything that goes wrong in the
child costs only time: this process then analyses that half itself.

`POLITE_PROCESSES=1` in the environment keeps everything in one process.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys

from .detect import cyclic_gc_paused
from .lsp.incremental import (
    SECTION,
    Cut,
    IncrementalAnalyser,
    Piece,
    middle_cuts,
    piece_text,
    piecewise,
    separable_near,
)
from .rules import TWO_PROCESS_TEXT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from .detect import Finding
    from .rules import Ruleset


_CUTS_TRIED = 8  # places near the middle tried for one where the halves stay apart


def findings(text: str, ruleset: Ruleset) -> list[Finding] | None:
    """The findings of `detect.analyse(text, ruleset)`, found by two processes;
    None when the text is too short or two processes cannot be used."""
    if len(text) < TWO_PROCESS_TEXT or not piecewise(text) or not _may_fork():
        return None
    # A cut that the analyses on its two sides would join again saves nothing.
    cut = next((c for c in middle_cuts(text)[:_CUTS_TRIED] if separable_near(text, c, ruleset)), None)
    if cut is None:
        return None
    first = Cut(0, 0, SECTION)
    first_text, _none = piece_text(text, first, cut.body_start)
    second_text, context = piece_text(text, cut, len(text))
    ruleset.prepare()  # compiled once, before the fork, for both processes
    with cyclic_gc_paused():
        child = _Child(lambda: Piece(second_text, context, ruleset))
        try:
            pieces = {first_text: Piece(first_text, 0, ruleset)}
            analysed = child.result()
        finally:
            child.stop()
        pieces[second_text] = analysed if isinstance(analysed, Piece) else Piece(second_text, context, ruleset)
        analyser = IncrementalAnalyser(ruleset)
        analyser.add_pieces(pieces)
        return analyser.findings(text, [first, cut])


def _may_fork() -> bool:
    if not hasattr(os, "fork") or os.environ.get("POLITE_PROCESSES", "").strip() == "1":
        return False
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return False  # forking a process with threads can deadlock the child
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores >= 2


class _Child:
    """`work()` run in a forked child process, its result sent back pickled."""

    def __init__(self, work: Callable[[], object]) -> None:
        self._read_end, write_end = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # the child: never returns into the caller's code
            status = 1
            try:
                os.close(self._read_end)
                with os.fdopen(write_end, "wb") as out:
                    pickle.dump(work(), out, protocol=pickle.HIGHEST_PROTOCOL)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)

    def result(self) -> object:
        """What `work()` returned, or None if the child failed."""
        try:
            with os.fdopen(self._read_end, "rb") as received:
                data = received.read()
            _pid, status = os.waitpid(self._pid, 0)
            self._pid = 0
            return pickle.loads(data) if status == 0 and data else None
        except Exception:  # noqa: BLE001 - whatever the child left, this process can do the work
            return None

    def stop(self) -> None:
        """End the child if it is still running (this process was interrupted)."""
        if self._pid:
            try:
                os.kill(self._pid, signal.SIGTERM)
                os.waitpid(self._pid, 0)
            except OSError:
                pass
            self._pid = 0
