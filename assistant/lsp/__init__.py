"""`polite lsp`: the language server (see server.py), started by the CLI.

pygls is imported only when the server starts, so other commands never pay for it.
"""

from __future__ import annotations


def main() -> int:
    """Serve on standard input and output; the exit status for the process."""
    from .server import serve

    return serve()
