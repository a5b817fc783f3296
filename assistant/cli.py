"""The click command group. Options come from options.py; work is done in
commands.py (and the phrasebook/template helpers), never here."""

from __future__ import annotations

import sys

import click

from . import __version__, commands
from .options import COMMANDS, Command, Opt

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


def _exit(code: int) -> None:
    ctx = click.get_current_context()
    ctx.exit(code)


def _click_option(opt: Opt) -> click.Option:
    kwargs: dict[str, object] = {"help": opt.help}
    if opt.kind == "flag":
        kwargs["is_flag"] = True
        kwargs["default"] = False
    else:
        if opt.choices is not None:
            kwargs["type"] = click.Choice(opt.choices)
        elif opt.kind == "int":
            kwargs["type"] = int
        if opt.kind == "multiple":
            kwargs["multiple"] = True
        kwargs["default"] = opt.default
        kwargs["show_default"] = opt.default not in (None, ())
        if opt.metavar:
            kwargs["metavar"] = opt.metavar
    return click.Option([*opt.flags, opt.name], **kwargs)  # type: ignore[arg-type]


def _build(spec: Command, action: Callable[..., int]) -> click.Command:
    params: list[click.Parameter] = [_click_option(o) for o in spec.options]
    if spec.argument is not None:
        name, arity = spec.argument
        params.insert(
            0,
            click.Argument(
                [name],
                nargs=-1 if arity == "many" else 1,
                required=False,
                metavar="[PATH]..." if arity == "many" else "[PATH]",
            ),
        )

    def callback(**kwargs: object) -> None:
        _exit(commands.run(lambda: action(**kwargs)))

    return click.Command(
        spec.name, params=params, callback=callback, help=spec.help, short_help=spec.short_help, epilog=spec.epilog
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="polite")
def polite() -> None:
    """polite: find quid-pro-quo demands in outreach drafts, rewrite them
    content-first, and write courteous declines.

    Every command reads standard input when PATH is '-' or missing, so each one
    works as an editor filter. Results go to standard output, messages to
    standard error.
    """


for _spec in COMMANDS.values():
    polite.add_command(_build(_spec, getattr(commands, _spec.name)))


# The options the management commands share.
def _config_options(f: Callable[..., None]) -> Callable[..., None]:
    f = click.option("--isolated", is_flag=True, help="Ignore all config files.")(f)
    return click.option("--config", metavar="FILE", help="Use this config file.")(f)


def _format_option(f: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
    )(f)


# ------------------------------------------------------------------ phrasebook
@polite.group()
def phrasebook() -> None:
    """List, explain and test the phrasebooks (the rules)."""


@phrasebook.command("list")
@_config_options
@_format_option
def phrasebook_list(config: str | None, isolated: bool, fmt: str) -> None:
    """List every rule: id, category, kind, severity and what it finds."""
    from .manage import list_rules

    _exit(commands.run(lambda: list_rules(config, isolated, fmt)))


@phrasebook.command("show")
@click.argument("rule")
@_config_options
def phrasebook_show(rule: str, config: str | None, isolated: bool) -> None:
    """Explain RULE: what it finds, why it matters, its examples (same as check --explain)."""
    _exit(commands.run(lambda: commands.explain_rule(commands.Session(config, isolated), rule)))


@phrasebook.command("test")
@click.argument("paths", nargs=-1, metavar="[PATH]...")
def phrasebook_test(paths: tuple[str, ...]) -> None:
    """Validate phrasebooks and run every entry's match / no_match examples.

    With no PATH, tests the shipped phrasebooks; otherwise the given files or
    folders (a user phrasebook is loaded on top of the shipped vocabulary).
    Exit status 1 when an example fails, 2 when a phrasebook does not load.
    """
    from .manage import test_phrasebooks

    _exit(commands.run(lambda: test_phrasebooks(paths)))


@phrasebook.command("path")
def phrasebook_path() -> None:
    """Print the folder of the shipped phrasebooks."""
    from .phrasebook import shipped_dir

    click.echo(shipped_dir())


# ------------------------------------------------------------------ templates
@polite.group()
def templates() -> None:
    """List and show the reply and rewrite templates."""


@templates.command("list")
@_config_options
@_format_option
def templates_list(config: str | None, isolated: bool, fmt: str) -> None:
    """List templates with their variables and tones (user folders first)."""
    from .manage import list_templates

    _exit(commands.run(lambda: list_templates(config, isolated, fmt)))


@templates.command("show")
@click.argument("name")
@_config_options
def templates_show(name: str, config: str | None, isolated: bool) -> None:
    """Print the template NAME (e.g. reply/follow_back) and where it comes from."""
    from .manage import show_template

    _exit(commands.run(lambda: show_template(name, config, isolated)))


# ------------------------------------------------------------------------ lsp
@polite.command()
def lsp() -> None:
    """Run the language server on standard input and output (for editors).

    Diagnostics for demands as you type, code actions to rewrite a demand or
    pick a content-first alternative, hover with the reason. See the README for
    editor set-up.
    """
    from .lsp import main as lsp_main

    _exit(lsp_main())


def main(argv: list[str] | None = None) -> int:
    try:
        polite.main(args=argv, prog_name="polite", standalone_mode=True)  # always ends with SystemExit
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
