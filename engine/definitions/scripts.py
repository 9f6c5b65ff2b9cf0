"""Script rules: what BPMN scripts, conditions and timer expressions may do.

BPMN files are uploaded by process owners and SpiffWorkflow runs their
expressions with plain ``exec``/``eval``. We allow a small, safe subset of
Python — no imports, no dunder or private attributes, no introspection, only
whitelisted builtins and engine helpers — check it at deploy, and check it
again before every evaluation at run time.
"""
from __future__ import annotations

import ast
import datetime as _dt
import functools
import json
from types import CodeType
from typing import Any, cast

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from engine.base import clock
from engine.definitions import script_limits
from engine.definitions.form_schema import MAX_SUBMISSION_BYTES

_SAFE_BUILTIN_NAMES = (
    "abs all any bool dict enumerate filter float int isinstance len list map max min "
    "range reversed round set sorted str sum tuple zip True False None"
).split()
SAFE_BUILTINS = {name: __builtins__[name] if isinstance(__builtins__, dict) else getattr(__builtins__, name)
                 for name in _SAFE_BUILTIN_NAMES}
MAX_SOURCE = 20_000
MAX_RANGE = 100_000
SAFE_BUILTINS = script_limits.checked_builtins(SAFE_BUILTINS, MAX_RANGE)

# Attribute names that reach into Python's object model even without dunders.
_FORBIDDEN_ATTRIBUTES = {"format", "format_map", "mro", "gi_frame", "gi_code", "f_globals", "f_locals", "f_back"}
_FORBIDDEN_NAMES = {"exec", "eval", "open", "compile", "__import__", "getattr", "setattr", "delattr",
                    "globals", "locals", "vars", "input", "breakpoint", "exit", "quit", "help", "type",
                    "object", "memoryview", "super", "classmethod", "staticmethod", "property"}


def _now_iso() -> str:
    return clock.now().isoformat()


def _today() -> str:
    return clock.now().date().isoformat()


def _add_days(iso_date: str, days: int) -> str:
    return (_dt.date.fromisoformat(iso_date[:10]) + _dt.timedelta(days=days)).isoformat()


# Helpers scripts may call; they read the engine clock, never the wall clock.
HELPERS = {"now": _now_iso, "today": _today, "add_days": _add_days}


class ScriptRuleError(ValueError):
    """An expression or script breaks the script rules (or is not Python)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


# Syntax refused outright: class patterns fetch attributes by name without an
# ast.Attribute node (a way round the attribute rule); unbounded loops and
# generators would hold the write transaction.
_REFUSED_NODES = {ast.Match: "match", ast.While: "while", ast.Await: "await", ast.Yield: "yield",
                  ast.YieldFrom: "yield from", ast.AsyncFor: "async for", ast.AsyncWith: "async with",
                  ast.Try: "try", ast.TryStar: "try … except*", ast.Raise: "raise", ast.With: "with", ast.Delete: "del"}


class _RuleChecker(ast.NodeVisitor):
    def visit_Import(self, node: Any) -> None:
        raise ScriptRuleError("imports are not allowed in scripts", node.lineno)

    visit_ImportFrom = visit_Import

    def visit_Global(self, node: Any) -> None:
        raise ScriptRuleError("'global'/'nonlocal' are not allowed in scripts", node.lineno)

    visit_Nonlocal = visit_Global

    def visit_Attribute(self, node: Any) -> None:
        if node.attr.startswith("_") or node.attr in _FORBIDDEN_ATTRIBUTES:
            raise ScriptRuleError(f"the attribute '.{node.attr}' is not allowed in scripts", node.lineno)
        self.generic_visit(node)

    def visit_Name(self, node: Any) -> None:
        if node.id.startswith("__") or node.id in _FORBIDDEN_NAMES:
            raise ScriptRuleError(f"the name '{node.id}' is not allowed in scripts", node.lineno)

    def visit_FunctionDef(self, node: Any) -> None:
        raise ScriptRuleError("defining functions or classes is not allowed in scripts; use expressions", node.lineno)

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_FormattedValue(self, node: Any) -> None:
        problem = node.format_spec is not None and script_limits.format_spec_problem(node.format_spec)
        if problem:
            raise ScriptRuleError(problem, node.lineno)
        self.generic_visit(node)

    def generic_visit(self, node: Any) -> None:
        if type(node) in _REFUSED_NODES:
            raise ScriptRuleError(f"'{_REFUSED_NODES[type(node)]}' is not allowed in scripts",
                                  getattr(node, "lineno", None))
        super().generic_visit(node)


def check(source: str, mode: str = "exec") -> None:
    """Raise :class:`ScriptRuleError` unless ``source`` follows the script rules.

    ``mode`` is ``"eval"`` for conditions and timer expressions, ``"exec"`` for
    script tasks. Results are cached: the same text is checked once.
    """
    compiled(source, mode)


@functools.lru_cache(maxsize=4096)
def compiled(source: str, mode: str = "exec") -> CodeType:
    """Check ``source`` against the script rules and compile it to run under the budget (script_limits)."""
    if len(source) > MAX_SOURCE:
        raise ScriptRuleError(f"the script is {len(source)} characters; the limit is {MAX_SOURCE}")
    try:
        tree = ast.parse(source, mode=mode)
        _RuleChecker().visit(tree)
        return compile(cast(ast.Module | ast.Expression, script_limits.instrument(tree)), "<script>", mode)
    except SyntaxError as error:
        raise ScriptRuleError(f"not valid Python: {error.msg}", error.lineno) from None
    except (RecursionError, MemoryError):
        raise ScriptRuleError("the expression is nested too deeply") from None


class RestrictedEnvironment(TaskDataEnvironment):  # type: ignore[misc]  # SpiffWorkflow is untyped
    """Evaluates with safe builtins only, after checking the rules."""

    def __init__(self) -> None:
        super().__init__({**HELPERS, **script_limits.HELPERS})

    def evaluate(self, expression: Any, context: Any, external_context: Any = None) -> Any:
        code = compiled(expression, "eval")
        scope = {"__builtins__": SAFE_BUILTINS, **self.globals, **(external_context or {}), **context}
        with script_limits.budget():
            return eval(code, scope)  # noqa: S307 - checked by the script rules, budgeted by script_limits

    def execute(self, script: Any, context: Any, external_context: Any = None) -> Any:
        code = compiled(script, "exec")
        self.check_for_overwrite(context, external_context or {})
        context.update(self.globals)
        context.update(external_context or {})
        context["__builtins__"] = SAFE_BUILTINS
        before = {key: id(value) for key, value in context.items()}
        try:
            with script_limits.budget():
                exec(code, context)  # noqa: S102 - checked by the script rules, budgeted by script_limits
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        _refuse_oversized({key: value for key, value in context.items() if before.get(key) != id(value)})
        return True


def _refuse_oversized(stored: dict[str, Any]) -> None:
    """What a script stores in the process data is limited like a form submission."""
    if not stored:
        return
    size = len(json.dumps(stored, default=str))
    if size > MAX_SUBMISSION_BYTES:
        raise script_limits.BudgetExceeded(
            f"the script stored {size:,} bytes of data ({', '.join(sorted(stored))}); "
            f"like a form, it may store at most {MAX_SUBMISSION_BYTES:,}")


def script_engine() -> PythonScriptEngine:
    """A script engine enforcing the rules (set it again after every load)."""
    return PythonScriptEngine(environment=RestrictedEnvironment())
