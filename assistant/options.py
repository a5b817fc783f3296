"""Every command's options, written once.

cli.py builds the click commands from this table; entry.py parses the same
table directly for the commands that must start fast (importing click costs
more than the interpreter's own start-up). Anything the fast parser does not
fully understand (--help, an unknown option, a bad value) goes to click, so
click alone produces usage errors and help text.
"""

from __future__ import annotations


class Opt:
    __slots__ = ("choices", "default", "flags", "help", "kind", "metavar", "name")

    def __init__(
        self,
        name: str,
        flags: tuple[str, ...],
        help: str,
        kind: str = "value",
        choices: tuple[str, ...] | None = None,
        default: object = None,
        metavar: str | None = None,
    ) -> None:
        assert kind in ("flag", "value", "multiple", "int")
        self.name = name
        self.flags = flags
        self.help = help
        self.kind = kind
        self.choices = choices
        self.default = (
            default if default is not None else (False if kind == "flag" else () if kind == "multiple" else None)
        )
        self.metavar = metavar


class Command:
    __slots__ = ("argument", "epilog", "fast", "help", "name", "options", "short_help")

    def __init__(
        self,
        name: str,
        help: str,
        short_help: str,
        argument: tuple[str, str] | None,
        options: list[Opt],
        fast: bool = False,
        epilog: str | None = None,
    ) -> None:
        self.name = name
        self.help = help
        self.short_help = short_help
        self.argument = argument  # (name, "many" | "one"), an optional positional
        self.options = options
        self.fast = fast
        self.epilog = epilog


FORMAT = Opt("fmt", ("--format",), "Output format.", choices=("text", "json"), default="text")
SELECT = Opt(
    "select",
    ("--select",),
    "Only these categories or rule ids (dotted prefixes allowed; repeat or separate with commas). "
    "Replaces the config's select.",
    kind="multiple",
    metavar="RULE",
)
IGNORE = Opt(
    "ignore",
    ("--ignore",),
    "Skip these categories or rule ids (repeat or separate with commas). Adds to the config's ignore.",
    kind="multiple",
    metavar="RULE",
)
CONFIG = Opt(
    "config", ("--config",), "Use this config file instead of the nearest polite.toml / pyproject.toml.", metavar="FILE"
)
ISOLATED = Opt("isolated", ("--isolated",), "Ignore all config files.", kind="flag")
ENCODING = Opt("encoding", ("--encoding",), "Encoding of the input (default utf-8).", metavar="NAME")
STDIN_NAME = Opt(
    "stdin_filename",
    ("--stdin-filename",),
    "Name to show for text read from standard input (also where config is looked for).",
    metavar="NAME",
)
TOPIC = Opt("topic", ("--topic",), "What your work is about, for content-first wording.", metavar="TEXT")
LINK = Opt("link", ("--link",), "A link to your work, for content-first wording.", metavar="URL")
NAME = Opt("name", ("--name",), "Your name, for content-first wording.", metavar="TEXT")
RULE_OPTIONS = [SELECT, IGNORE, CONFIG, ISOLATED, ENCODING]
PROFILE_OPTIONS = [TOPIC, LINK, NAME]

CHECK = Command(
    "check",
    help=(
        "Find the quid-pro-quo demands in drafts.\n\n"
        "Reads each PATH (or standard input for '-' or no path) and prints every demand as "
        "'path:line:col: severity [rule] message' with a suggestion. "
        "Exit status: 0 no demands, 1 demands found, 2 usage or input error."
    ),
    short_help="Find quid-pro-quo demands in drafts.",
    argument=("paths", "many"),
    options=[
        FORMAT,
        Opt("exit_zero", ("--exit-zero",), "Exit 0 even when demands are found.", kind="flag"),
        *RULE_OPTIONS,
        STDIN_NAME,
        Opt("explain", ("--explain",), "Explain a rule (why it matters, examples) and exit.", metavar="RULE"),
    ],
    fast=True,
)

REWRITE = Command(
    "rewrite",
    help=(
        "Print the draft with its demands removed or replaced by content-first wording.\n\n"
        "Everything else stays exactly as written. Standard output gets only the text, so "
        "it works as an editor filter (:%!polite rewrite). Exit status 0 whether or not "
        "anything changed; 2 on usage or input errors."
    ),
    short_help="Rewrite a draft without its demands.",
    argument=("path", "one"),
    options=[
        FORMAT,
        Opt("diff", ("--diff",), "Print a unified diff instead of the text; write nothing.", kind="flag"),
        Opt("in_place", ("--in-place",), "Write the result back to PATH (atomically).", kind="flag"),
        Opt("explain", ("--explain",), "List each change and the reason on standard error.", kind="flag"),
        Opt("tidy", ("--tidy",), "Also spell out textspeak (ur, u, pls) and lower-case shouting.", kind="flag"),
        Opt(
            "unsafe",
            ("--unsafe",),
            "Also replace demands with generated content-first wording where dropping them would do.",
            kind="flag",
        ),
        Opt("stats", ("--stats",), "Print readability before and after (standard error, or in the JSON).", kind="flag"),
        Opt("grammar", ("--grammar",), "Check the changed sentences with LanguageTool (needs a server).", kind="flag"),
        Opt("languagetool_url", ("--languagetool-url",), "LanguageTool server to use for --grammar.", metavar="URL"),
        *PROFILE_OPTIONS,
        *RULE_OPTIONS,
        STDIN_NAME,
    ],
    fast=True,
)

SUGGEST = Command(
    "suggest",
    help="List several content-first alternatives for each demand in the draft, each labelled with its strategy.",
    short_help="Suggest content-first alternatives for each demand.",
    argument=("path", "one"),
    options=[FORMAT, *PROFILE_OPTIONS, *RULE_OPTIONS, STDIN_NAME],
)

REPLY = Command(
    "reply",
    help=(
        "Classify an incoming message and write a courteous reply.\n\n"
        "A message that demands something in return gets a decline that thanks, says no "
        "clearly and promises nothing; a genuine message is reported as such. "
        "With --template, renders a named template without reading a message."
    ),
    short_help="Write a courteous decline to a demand.",
    argument=("path", "one"),
    options=[
        FORMAT,
        Opt("to", ("--to",), "Name of the person you reply to (default: found in the message).", metavar="NAME"),
        Opt("from_name", ("--from",), "Your name, for the sign-off.", metavar="NAME"),
        Opt(
            "platform", ("--platform",), "Where the message came from (linkedin, twitter, email, ...).", metavar="NAME"
        ),
        Opt("var", ("--var",), "Set a template variable (repeatable).", kind="multiple", metavar="KEY=VALUE"),
        Opt("kind", ("--kind",), "Answer as this kind of demand instead of the detected one.", metavar="KIND"),
        Opt("tone", ("--tone",), "Tone of the reply.", choices=("warm", "brief", "firm")),
        Opt("seed", ("--seed",), "Pick among wording variants reproducibly.", kind="int", metavar="N"),
        Opt("all", ("--all",), "Print all three options, not only the first.", kind="flag"),
        Opt("template", ("--template",), "Render this template without an incoming message.", metavar="NAME"),
        *RULE_OPTIONS,
        STDIN_NAME,
    ],
    fast=True,
)

COMMANDS = {c.name: c for c in (CHECK, REWRITE, SUGGEST, REPLY)}
