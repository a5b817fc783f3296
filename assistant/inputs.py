"""Reading drafts: files or standard input, with one clear error per failure.

Text is decoded strictly (UTF-8 unless --encoding says otherwise). A UTF-8 byte
order mark is removed from the text and remembered, so offsets count from the
first real character and a rewrite puts the mark back. Line endings are kept
exactly as read ("\\r\\n" stays "\\r\\n").
"""

from __future__ import annotations

import os
import sys

from .errors import PoliteError

STDIN = "-"
_BOM = b"\xef\xbb\xbf"


class InputError(PoliteError):
    """An input that cannot be read; str() names it and says what to do."""


class Source:
    __slots__ = ("bom", "encoding", "name", "path", "text")

    def __init__(self, path: str, name: str, text: str, encoding: str, bom: bool) -> None:
        self.path = path  # as given on the command line ("-" for stdin)
        self.name = name  # how to show it (--stdin-filename for stdin)
        self.text = text
        self.encoding = encoding
        self.bom = bom

    @property
    def is_stdin(self) -> bool:
        return self.path == STDIN

    def encode(self, text: str) -> bytes:
        """`text` in this source's encoding, with its byte order mark if it had one."""
        data = text.encode(self.encoding)
        return _BOM + data if self.bom else data


def read_source(path: str, encoding: str | None = None, stdin_name: str | None = None) -> Source:
    if path == STDIN:
        name = stdin_name or STDIN
        if sys.stdin is None:
            raise InputError("standard input is closed; pass a file path instead")
        if sys.stdin.isatty():
            print("polite: reading the draft from standard input; end it with Ctrl-D", file=sys.stderr)
        data = sys.stdin.buffer.read()
    else:
        name = path
        data = _read_file(path)
    return decode(data, path, name, encoding)


def _read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise InputError(
            f"{path}: is a folder; pass the files in it (for example {os.path.join(path, '*.txt')})"
        ) from None
    except PermissionError:
        raise InputError(f"{path}: cannot be read (permission denied); check the file's permissions") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def decode(data: bytes, path: str, name: str, encoding: str | None) -> Source:
    chosen = encoding or "utf-8"
    try:
        "".encode(chosen)
    except LookupError:
        raise InputError(
            f"unknown encoding {chosen!r}; use a Python codec name such as utf-8, latin-1 or cp1252"
        ) from None
    utf8 = chosen.replace("_", "-").lower() in ("utf-8", "utf8", "utf-8-sig")
    bom = utf8 and data.startswith(_BOM)
    if bom:
        data = data[len(_BOM) :]
    if encoding is None:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(f"{name}: looks like UTF-16 text; pass --encoding utf-16")
        if b"\x00" in data[:8192]:
            raise InputError(f"{name}: looks like binary data, not text; polite reads plain-text drafts")
    try:
        text = data.decode("utf-8" if utf8 else chosen)
    except UnicodeDecodeError as exc:
        byte = data[exc.start : exc.start + 1].hex()
        hint = "pass --encoding with the file's encoding, for example --encoding latin-1"
        if encoding:
            hint = f"check that {encoding} is the right encoding"
        raise InputError(f"{name}: is not valid {chosen} (byte 0x{byte} at offset {exc.start}); {hint}") from None
    return Source(path, name, text, "utf-8" if utf8 else chosen, bom)
