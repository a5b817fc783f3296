"""polite as an editor filter: the stdin/stdout contract, and a real headless vim using it.

`:%!polite rewrite` replaces the buffer with polite's output, so that output must be
the text and nothing else, with the buffer's line endings and final-newline state.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import polite_executable

DEMAND = "I endorsed you for Python, now endorse me back."
LINES = ["Hi Dana,", "Loved your talk on pricing.", DEMAND, "See you at the meetup.", "Sam"]
VIM = shutil.which("vim")
needs_vim = pytest.mark.skipif(VIM is None, reason="vim is not installed (CI installs it, see .ci/run)")


def draft(newline: str, final_newline: bool = True) -> bytes:
    text = newline.join(LINES) + (newline if final_newline else "")
    return text.encode("utf-8")


def polite_for_vim(*args: str) -> str:
    """A shell command line running this environment's polite, escaped for vim's :! ("%", "#" and "!" are vim's)."""
    line = " ".join(shlex.quote(part) for part in [*polite_executable(), *args])
    return "".join("\\" + ch if ch in "%#!" else ch for ch in line)


def vim(path: Path, script: list[str], binary: bool = False) -> subprocess.CompletedProcess[bytes]:
    """Run Ex commands in a headless vim with no config (-u NONE), no viminfo, no swap file."""
    assert VIM is not None
    command = [VIM, "-N", "-u", "NONE", "-i", "NONE", "-n", "-es", *(["-b"] if binary else []), str(path)]
    return subprocess.run(
        command,
        input="\n".join(script).encode() + b"\n",
        capture_output=True,
        env={**os.environ, "SHELL": "/bin/sh"},
        cwd=path.parent,
        timeout=120,
    )


def rewritten(polite: Any, data: bytes) -> bytes:
    run = polite("rewrite", input=data)
    assert run.returncode == 0 and run.stderr == ""
    return bytes(run.stdout_bytes)


# ------------------------------------------------------------ the contract
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("final_newline", [True, False])
def test_rewrite_filter_prints_only_the_text(polite: Any, tmp_path: Path, newline: str, final_newline: bool) -> None:
    data = draft(newline, final_newline)
    before = sorted(tmp_path.iterdir())
    output = rewritten(polite, data)
    expected = newline.join(line for line in LINES if line != DEMAND) + (newline if final_newline else "")
    assert output == expected.encode("utf-8")
    assert sorted(tmp_path.iterdir()) == before  # wrote no file


def test_rewrite_filter_exits_0_when_nothing_changes(polite: Any) -> None:
    clean = b"Loved your talk on pricing.\r\nSee you at the meetup."
    assert rewritten(polite, clean) == clean
    assert rewritten(polite, b"") == b""


def test_every_command_reads_standard_input_without_a_path(polite: Any) -> None:
    data = draft("\n")
    for args in (["check"], ["check", "-"], ["rewrite"], ["rewrite", "-"], ["suggest"], ["reply"]):
        run = polite(*args, input=data)
        assert run.returncode in (0, 1), (args, run)
        assert run.stdout, args


def test_check_names_the_buffer_from_stdin_filename(polite: Any) -> None:
    run = polite("check", "--stdin-filename", "notes/draft.md", input=draft("\r\n"))
    assert run.returncode == 1
    first = run.stdout.splitlines()[0]
    assert first.startswith("notes/draft.md:3:1: ")
    assert "[endorsement_swap.explicit]" in first


# --------------------------------------------------------------- real vim
@pytest.mark.slow
@needs_vim
@pytest.mark.parametrize("final_newline", [True, False])
def test_vim_filters_crlf_text_through_polite(polite: Any, tmp_path: Path, final_newline: bool) -> None:
    """In binary mode vim leaves every \\r in the buffer, so polite itself receives and
    returns CRLF lines: any change to the line endings would reach the file."""
    path = tmp_path / "draft.txt"
    path.write_bytes(draft("\r\n", final_newline))
    result = vim(path, [f"%!{polite_for_vim('rewrite')}", "wq"], binary=True)
    assert result.returncode == 0, result
    written = path.read_bytes()
    assert written == rewritten(polite, draft("\r\n", final_newline))
    assert DEMAND.encode() not in written
    assert written.count(b"\r\n") == len(LINES) - (1 if final_newline else 2)
    assert written.count(b"\n") == written.count(b"\r\n")  # no bare \n anywhere
    assert written.endswith(b"\r\n") == final_newline


@pytest.mark.slow
@needs_vim
def test_vim_keeps_a_dos_file_dos(polite: Any, tmp_path: Path) -> None:
    """The everyday case: vim reads a CRLF file as fileformat=dos and writes it back so."""
    path = tmp_path / "draft.txt"
    path.write_bytes(draft("\r\n"))
    result = vim(path, ["set fileformats=unix,dos", f"%!{polite_for_vim('rewrite')}", "wq"])
    assert result.returncode == 0, result
    assert path.read_bytes() == rewritten(polite, draft("\r\n"))


@pytest.mark.slow
@needs_vim
def test_vim_write_to_polite_check_names_the_buffer(tmp_path: Path) -> None:
    """`:w !polite check --stdin-filename %` reports against the buffer's own name."""
    path = tmp_path / "draft.txt"
    path.write_bytes(draft("\r\n"))
    result = vim(path, [f"w !{polite_for_vim('check', '--stdin-filename')} %", "q"])
    assert b"draft.txt:3:1: warning [endorsement_swap.explicit]" in result.stdout
    assert path.read_bytes() == draft("\r\n")  # nothing written back
