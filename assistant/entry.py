"""The `polite` executable.

`polite check -` on a short message should start about as fast as Python does,
and importing click alone takes longer than that. So the commands marked `fast`
in options.py are parsed here, from the same option table click uses, when the
arguments are plainly valid; everything else (help, errors, the other commands)
goes through click. Set POLITE_NO_FASTPATH=1 to always use click.
"""

from __future__ import annotations

import os
import sys

from .options import COMMANDS, Command


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    parsed = None if os.environ.get("POLITE_NO_FASTPATH") else fast_parse(args)
    if parsed is not None:
        from . import commands

        name, kwargs = parsed
        action = getattr(commands, name)
        return commands.run(lambda: action(**kwargs))
    from .cli import main as click_main

    return click_main(args)


def fast_parse(args: list[str]) -> tuple[str, dict[str, object]] | None:
    """(command, keyword arguments) if `args` is a plainly valid call of a fast
    command; None whenever click should handle it instead."""
    if not args or args[0] not in COMMANDS or not COMMANDS[args[0]].fast:
        return None
    spec: Command = COMMANDS[args[0]]
    by_flag = {flag: opt for opt in spec.options for flag in opt.flags}
    values: dict[str, object] = {opt.name: opt.default for opt in spec.options}
    positionals: list[str] = []
    tokens = args[1:]
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token == "--":
            positionals.extend(tokens[i:])
            break
        if token == "-" or not token.startswith("-"):
            positionals.append(token)
            continue
        flag, has_value, inline = token.partition("=")
        opt = by_flag.get(flag)
        if opt is None:
            return None
        if opt.kind == "flag":
            if has_value:
                return None
            values[opt.name] = True
            continue
        if has_value:
            value = inline
        elif i < len(tokens) and (tokens[i] == "-" or not tokens[i].startswith("-")):
            value = tokens[i]
            i += 1
        else:
            return None
        if opt.choices is not None and value not in opt.choices:
            return None
        if opt.kind == "int":
            try:
                values[opt.name] = int(value)
            except ValueError:
                return None
        elif opt.kind == "multiple":
            values[opt.name] = (*values[opt.name], value)  # type: ignore[misc]
        else:
            values[opt.name] = value
    if spec.argument is not None:
        name, arity = spec.argument
        if arity == "one":
            if len(positionals) > 1:
                return None
            values[name] = positionals[0] if positionals else None
        else:
            values[name] = tuple(positionals)
    elif positionals:
        return None
    return spec.name, values
