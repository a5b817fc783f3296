"""Templates: Jinja2 in its sandbox, loaded only from the shipped folder and the
folders the config names (user folders first, so they override by name).

Importing jinja2 costs several times Python's own start-up, so rendering goes
through a skeleton cache. Variables are of two sorts:

- settings (kind, tone, strategy, seed...) choose the wording and are part of
  the cache key;
- data (names, topic, link...) are only inserted into the text.

A template whose data variables appear only as plain `{{ name }}` output or in
truthiness tests (`{% if name %}`, `name or "there"`) is rendered once per
setting with placeholders for the data, and later renders just fill the
placeholders in: the same text Jinja2 would produce, without importing it.
Templates that transform data (filters, comparisons, calls) are always rendered
by Jinja2. Data values are never evaluated as template code either way.
"""

from __future__ import annotations

import os

from . import cache, fastre
from .errors import PoliteError
from .resources import data_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

SUFFIX = ".j2"
_ENGINE = 3
_SLOT = fastre.compile("\ue000(.)\ue001")  # from the cache: a rendering run need not import re


class TemplateError(PoliteError):
    """A template that cannot be rendered; str() names it and says what to do."""


def _slot(index: int) -> str:
    return "\ue000" + chr(0xE100 + index) + "\ue001"


class Templates:
    def __init__(self, folders: Sequence[str] = ()) -> None:
        self.folders = [os.path.abspath(f) for f in folders] + [data_dir("templates")]
        self._stamps: tuple[object, ...] | None = None
        self._env: Any = None
        self._trees: dict[str, Any] = {}

    # ----------------------------------------------------------- discovery
    def files(self) -> dict[str, str]:
        """Template name -> file, the first folder winning."""
        found: dict[str, str] = {}
        for folder in self.folders:
            if not os.path.isdir(folder):
                raise TemplateError(f"{folder}: no such template folder; fix the 'templates' path in your config")
            for root, _dirs, names in os.walk(folder):
                for file_name in sorted(names):
                    if file_name.endswith(SUFFIX):
                        full = os.path.join(root, file_name)
                        name = os.path.relpath(full, folder)[: -len(SUFFIX)].replace(os.sep, "/")
                        found.setdefault(name, full)
        return found

    def stamps(self) -> tuple[object, ...]:
        if self._stamps is None:
            self._stamps = tuple(sorted((name, cache.file_stamp(path)) for name, path in self.files().items()))
        return self._stamps

    def exists(self, name: str) -> bool:
        return name in self.files()

    # -------------------------------------------------------------- render
    def render(self, name: str, settings: Mapping[str, object], data: Mapping[str, str | None]) -> str:
        data_names = sorted(data)
        # None, "" (both false, but printed differently) or a value to fill in.
        truth = tuple(None if data[k] is None else bool(data[k]) for k in data_names)
        which = (name, tuple(sorted(settings.items())), tuple(data_names), truth)
        key = (_ENGINE, self.folders, self.stamps(), *which)
        # The file name ignores the templates' stamps, so an edited template replaces its entry.
        entry_name = "render-" + format(_crc(repr((self.folders, which))), "x")
        entry = cache.load(entry_name, key)
        if not (isinstance(entry, tuple) and len(entry) == 2):
            try:
                entry = self._skeleton(name, settings, data_names, truth)
            except TemplateError:
                raise
            except Exception as exc:  # noqa: BLE001 - parsing a broken template: one clear error
                raise _template_error(exc, name) from None
            cache.store(entry_name, key, entry)
        skeleton, reusable = str(entry[0]), bool(entry[1])
        if not reusable:
            return self._jinja_render(name, {**settings, **data})
        values = [data[k] or "" for k in data_names]
        # Jinja2 renders are stripped; a value at either end may bring its own spaces.
        return _SLOT.sub(lambda m: values[ord(m.group(1)) - 0xE100], skeleton).strip()

    def _skeleton(
        self, name: str, settings: Mapping[str, object], data_names: list[str], truth: tuple[bool | None, ...]
    ) -> tuple[str, bool]:
        if not self._plain_usage(name, set(data_names)):
            return "", False
        empty = {None: None, False: ""}
        placeholders = {k: _slot(i) if truth[i] else empty[truth[i]] for i, k in enumerate(data_names)}
        text = self._jinja_render(name, {**settings, **placeholders})
        leftover = _SLOT.sub("", text)
        if "\ue000" in leftover or "\ue001" in leftover:
            return "", False  # a placeholder was cut or altered: always render with Jinja2
        return text, True

    # -------------------------------------------------------------- jinja2
    def environment(self) -> Any:  # jinja2's sandboxed Environment, imported lazily
        if self._env is None:
            import jinja2
            from jinja2.sandbox import SandboxedEnvironment

            self._env = SandboxedEnvironment(
                loader=jinja2.FileSystemLoader(self.folders),
                undefined=jinja2.StrictUndefined,
                autoescape=False,
                trim_blocks=True,
                lstrip_blocks=True,
                keep_trailing_newline=False,
            )
        return self._env

    def _jinja_render(self, name: str, variables: Mapping[str, object]) -> str:
        env = self.environment()
        try:
            return str(env.get_template(name + SUFFIX).render(**variables)).strip()
        except TemplateError:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever a template raises becomes one clear error
            raise _template_error(exc, name) from None

    def variables(self, name: str) -> set[str]:
        """Variables a template (and what it includes) reads from its context."""
        from jinja2 import meta, nodes

        found: set[str] = set()
        assigned: set[str] = set()
        for template in self._closure(name):
            tree = self._parse(template)
            found |= meta.find_undeclared_variables(tree)
            assigned |= {n.name for a in tree.find_all(nodes.Assign) for n in a.target.find_all(nodes.Name)}
            assigned |= {a.target.name for a in tree.find_all(nodes.Assign) if isinstance(a.target, nodes.Name)}
        return found - assigned

    def source(self, name: str) -> str:
        return self._source(name + SUFFIX)

    def _source(self, file_name: str) -> str:
        env = self.environment()
        try:
            source, _path, _uptodate = env.loader.get_source(env, file_name)
        except Exception as exc:
            shown = file_name[: -len(SUFFIX)] if file_name.endswith(SUFFIX) else file_name
            raise TemplateError(f"no template '{shown}'; run 'polite templates list'") from exc
        return str(source)

    def _parse(self, file_name: str) -> Any:
        """The syntax tree of a template file (parsed once per instance)."""
        if file_name not in self._trees:
            try:
                self._trees[file_name] = self.environment().parse(self._source(file_name), name=file_name)
            except TemplateError:
                raise
            except Exception as exc:  # noqa: BLE001 - a syntax error: one clear line naming the file
                raise _template_error(exc, file_name) from None
        return self._trees[file_name]

    def _closure(self, name: str) -> list[str]:
        from jinja2 import meta

        todo, seen = [name + SUFFIX], []
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.append(current)
            for ref in meta.find_referenced_templates(self._parse(current)):
                if ref is not None:
                    todo.append(ref)
        return seen

    def _plain_usage(self, name: str, data_names: set[str]) -> bool:
        from jinja2 import nodes

        for template in self._closure(name):
            tree = self._parse(template)
            for node in tree.find_all(nodes.Include):
                if not isinstance(node.template, nodes.Const):
                    return False  # a computed include could depend on data
            if not _plain(tree, data_names, nodes, allowed=False):
                return False
        return True


def _capturing(nodes) -> Any:  # type: ignore[no-untyped-def]
    """Nodes whose body output is captured, filtered or escaped rather than written as is."""
    return (nodes.FilterBlock, nodes.AssignBlock, nodes.Macro, nodes.CallBlock, nodes.EvalContextModifier)


def _plain(node, data_names: set[str], nodes, allowed: bool) -> bool:  # type: ignore[no-untyped-def]
    """True when data names only appear where their value is output verbatim or
    tested for truth (Output elements, If/CondExpr tests, and/or/not chains)."""
    if isinstance(node, nodes.Name):
        return allowed or node.name not in data_names
    if isinstance(node, _capturing(nodes)):
        # Output inside these is captured, filtered or escaped before it is written
        # ({% filter upper %}, {% set x %}...{% endset %}, macros, autoescape): not verbatim.
        return not any(n.name in data_names for n in node.find_all(nodes.Name))
    if isinstance(node, nodes.Output):
        return all(_plain(child, data_names, nodes, True) for child in node.nodes)
    if isinstance(node, nodes.If):
        return _plain(node.test, data_names, nodes, True) and all(
            _plain(c, data_names, nodes, False) for c in [*node.body, *node.elif_, *node.else_]
        )
    if isinstance(node, (nodes.And, nodes.Or)):
        return _plain(node.left, data_names, nodes, allowed) and _plain(node.right, data_names, nodes, allowed)
    if isinstance(node, nodes.Not):
        return _plain(node.node, data_names, nodes, allowed)
    if isinstance(node, nodes.CondExpr):
        return (
            _plain(node.test, data_names, nodes, True)
            and _plain(node.expr1, data_names, nodes, allowed)
            and (node.expr2 is None or _plain(node.expr2, data_names, nodes, allowed))
        )
    return all(_plain(child, data_names, nodes, False) for child in node.iter_child_nodes())


def _template_error(exc: Exception, name: str) -> TemplateError:
    """One line for whatever rendering `name` raised: a missing template, a syntax
    error, an undefined variable, something the sandbox forbids, or an error in the
    template's own expressions (1/0, a range too big for the sandbox...)."""
    import jinja2
    from jinja2.exceptions import SecurityError

    if isinstance(exc, jinja2.TemplateNotFound):
        return TemplateError(f"no template '{exc.name}'; run 'polite templates list' to see the names")
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateError(f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}")
    if isinstance(exc, jinja2.UndefinedError):
        import re

        var = re.search(r"'([^']+)' is undefined", str(exc))
        which = f"variable '{var.group(1)}'" if var else f"an undefined value ({exc})"
        hint = f"pass --var {var.group(1)}=VALUE or give it a default in the template" if var else "check the template"
        return TemplateError(f"template '{_failing_template(exc) or name}' uses {which}; {hint}")
    if isinstance(exc, SecurityError):
        return TemplateError(f"template '{name}' tried something the sandbox forbids ({exc})")
    where = _failing_template(exc) or name
    return TemplateError(f"template '{where}' failed ({type(exc).__name__}: {exc}); check the template")


def _failing_template(exc: BaseException) -> str | None:
    tb = exc.__traceback__
    name = None
    while tb is not None:
        file_name = tb.tb_frame.f_code.co_filename
        if file_name.endswith(SUFFIX):
            name = os.path.basename(file_name)[: -len(SUFFIX)]
        tb = tb.tb_next
    return name


def _crc(text: str) -> int:
    import zlib

    return zlib.crc32(text.encode("utf-8", "surrogatepass"))
