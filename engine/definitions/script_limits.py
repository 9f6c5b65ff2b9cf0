"""CPU-time and memory budgets for BPMN scripts, conditions and expressions.

Scripts run in the server process inside a write transaction, so one of them
must never freeze the server or exhaust its memory. The script text is
rewritten (:func:`instrument`) so that every operation able to build a huge
value (``*``, ``**``, ``<<``, ``+``, ``%``, growing methods, copies) goes
through a helper that refuses an oversized result *before* computing it, and
every loop, comprehension, lambda call and iteration ticks a counter that
checks the thread's CPU time. Past either budget the evaluation raises
:class:`BudgetExceeded`, which the engine turns into ``ProcessFailed``
(nothing is saved).
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import contextvars
import copy
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

CPU_SECONDS_VARIABLE = "COURSEFLOW_SCRIPT_CPU_SECONDS"
MEMORY_MB_VARIABLE = "COURSEFLOW_SCRIPT_MEMORY_MB"
MAX_VALUE_BYTES = 8 * 1024 * 1024
MAX_INT_BITS = 64 * 1024
MAX_WIDTH = 10_000
CHECK_EVERY = 32
WALL_FACTOR = 2.0
_ITEM_BYTES = 8
_PERCENT_WIDTH = re.compile(r"%[-+ #0]*(\*|\d{5,})")


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _resident_bytes() -> int:
    """The process's resident memory (Linux); 0 where /proc is missing, which disables this backstop."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


class BudgetExceeded(ArithmeticError):
    """A script used more CPU time or memory than its budget allows."""


@dataclass(frozen=True)
class Limits:
    cpu_seconds: float = 2.0
    memory_bytes: int = 64 * 1024 * 1024

    @classmethod
    def from_env(cls) -> Limits:
        try:
            cpu = float(os.environ.get(CPU_SECONDS_VARIABLE, "2"))
            memory = int(float(os.environ.get(MEMORY_MB_VARIABLE, "64")) * 1024 * 1024)
        except ValueError:
            return cls()
        return cls(cpu if cpu > 0 else 2.0, memory if memory > 0 else 64 * 1024 * 1024)


LIMITS = Limits.from_env()


class Budget:
    """What one engine step (a completion, a timer firing) may still spend."""

    __slots__ = ("deadline", "wall_deadline", "memory_left", "ticks", "limits", "resident_at_start")

    def __init__(self, limits: Limits):
        self.limits = limits
        self.deadline = time.thread_time() + limits.cpu_seconds
        # A script starved of the CPU by other threads still holds the write lock: bound its wall time too.
        self.wall_deadline = time.perf_counter() + limits.cpu_seconds * WALL_FACTOR
        self.memory_left = limits.memory_bytes
        self.ticks = 0
        self.resident_at_start = _resident_bytes()

    def tick(self) -> None:
        self.ticks += 1
        if self.ticks % CHECK_EVERY:
            return
        if time.thread_time() > self.deadline or time.perf_counter() > self.wall_deadline:
            raise BudgetExceeded(f"the script ran longer than its CPU-time budget of {self.limits.cpu_seconds:g} s "
                                 f"(a loop that does too much?)")
        if _resident_bytes() - self.resident_at_start > self.limits.memory_bytes:
            raise BudgetExceeded(f"the script grew the server's memory by more than its budget of "
                                 f"{self.limits.memory_bytes // (1024 * 1024)} MB")

    def charge(self, size: int) -> None:
        if size > MAX_VALUE_BYTES:
            raise BudgetExceeded(f"the script would build a value of about {size:,} bytes; "
                                 f"the limit is {MAX_VALUE_BYTES:,}")
        self.memory_left -= size
        if self.memory_left < 0:
            raise BudgetExceeded(f"the script built more than its memory budget of "
                                 f"{self.limits.memory_bytes // (1024 * 1024)} MB of values")
        self.tick()


_current: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("script_budget", default=None)


@contextlib.contextmanager
def budget(limits: Limits | None = None) -> Iterator[Budget]:
    """Run the block under one budget; nested blocks share the outer one."""
    active = _current.get()
    if active is not None:
        yield active
        return
    token = _current.set(Budget(limits or LIMITS))
    try:
        yield _current.get()  # type: ignore[misc]
    finally:
        _current.reset(token)


def _spend() -> Budget:
    active = _current.get()
    if active is None:
        raise BudgetExceeded("scripts run only under a budget")
    return active


def size_of(value: object) -> int:
    """Rough bytes a value takes, counted without walking it deeply."""
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int):
        return value.bit_length() // 8
    if isinstance(value, str | bytes | bytearray):
        return len(value)
    if isinstance(value, list | tuple | set | frozenset | dict):
        return len(value) * _ITEM_BYTES
    return 0


def _size_of_repeat(sequence: object, times: object) -> int:
    if isinstance(times, int) and isinstance(sequence, str | bytes | list | tuple):
        return max(times, 0) * size_of(sequence) or 0
    return 0


# --- checked operators -------------------------------------------------------------------------------------------

def _int_bytes(bits: int) -> int:
    if bits > MAX_INT_BITS:
        raise BudgetExceeded(f"the script would compute a number of about {bits:,} bits; the limit is {MAX_INT_BITS:,}")
    return bits // 8


_NUMBERS = (int, float, bool)
_SMALL_BITS = 1024


def _mult(left: Any, right: Any) -> Any:
    if type(left) in _NUMBERS and type(right) in _NUMBERS and (
            type(left) is float or type(right) is float or left.bit_length() + right.bit_length() <= _SMALL_BITS):
        return left * right  # the common case, kept cheap: nothing big can come of it
    spent = _spend()
    if isinstance(left, int) and isinstance(right, int):
        spent.charge(_int_bytes(left.bit_length() + right.bit_length()))
    else:
        spent.charge(_size_of_repeat(left, right) or _size_of_repeat(right, left))
    return left * right


def _pow(base: Any, exponent: Any) -> Any:
    spent = _spend()
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        spent.charge(_int_bytes(base.bit_length() * exponent))
    else:
        spent.tick()
    return base**exponent


def _lshift(value: Any, shift: Any) -> Any:
    spent = _spend()
    if isinstance(value, int) and isinstance(shift, int) and value and shift > 0:
        spent.charge(_int_bytes(value.bit_length() + shift))
    else:
        spent.tick()
    return value << shift


def _add(left: Any, right: Any) -> Any:
    if type(left) in _NUMBERS and type(right) in _NUMBERS:
        return left + right
    spent = _spend()
    if isinstance(left, str | bytes | list | tuple) and isinstance(right, str | bytes | list | tuple):
        spent.charge(size_of(left) + size_of(right))
    else:
        spent.tick()
    return left + right


def _mod(left: Any, right: Any) -> Any:
    if type(left) in _NUMBERS:
        return left % right
    spent = _spend()
    if isinstance(left, str):
        if _PERCENT_WIDTH.search(left):
            raise BudgetExceeded("'%' formatting with a computed or very large width is not allowed in scripts")
        spent.charge(len(left) + size_of(str(right)) if isinstance(right, str) else len(left))
    else:
        spent.tick()
    return left % right


_OPERATORS = {ast.Mult: "__cf_mult__", ast.Pow: "__cf_pow__", ast.LShift: "__cf_lshift__",
              ast.Add: "__cf_add__", ast.Mod: "__cf_mod__"}


# --- checked iteration and calls ----------------------------------------------------------------------------------

def _iterate(iterable: Any) -> Any:
    tick = _spend().tick
    for item in iterable:
        tick()
        yield item


def _tick() -> None:
    _spend().tick()


_WIDTH_METHODS = {"ljust", "rjust", "center", "zfill", "to_bytes"}


def _method(target: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``target.name(...)``, refusing results that would be oversized, and charging what it builds."""
    spent = _spend()
    if name in _WIDTH_METHODS and args and isinstance(args[0], int) and args[0] > MAX_WIDTH:
        raise BudgetExceeded(f"'.{name}({args[0]})' would build a value wider than {MAX_WIDTH:,}")
    if name == "expandtabs" and args and isinstance(args[0], int) and args[0] > 64:
        raise BudgetExceeded("'.expandtabs' with a tab size over 64 is not allowed in scripts")
    if name == "replace" and isinstance(target, str) and len(args) >= 2 and isinstance(args[0], str):
        count = target.count(args[0]) if args[0] else len(target) + 1
        spent.charge(len(target) + count * max(len(args[1]) - len(args[0]), 0))
    if name == "join" and isinstance(target, str) and args:
        parts = list(args[0])
        spent.charge(sum(size_of(part) for part in parts) + len(target) * len(parts))
        args = (parts, *args[1:])
    result = getattr(target, name)(*args, **kwargs)
    spent.charge(size_of(result) + (size_of(target) if name in ("extend", "update", "append", "insert") else 0))
    return result


def _iterating(function: Any) -> Any:
    def checked(*args: Any, **kwargs: Any) -> Any:
        return _iterate(function(*args, **kwargs))
    checked.__name__ = function.__name__
    return checked


_MATERIALISING = {list, tuple, set, dict, sorted, str, frozenset}


def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a function; a copy-making builtin's result is charged (however it was named)."""
    spent = _spend()
    spent.tick()
    result = function(*args, **kwargs)
    if function in _MATERIALISING:
        spent.charge(size_of(result))
    return result


def _sized(value: Any) -> Any:
    """Charge a value built by a display with ``*``/``**``, an f-string or a slice (linear in charged values)."""
    _spend().charge(size_of(value))
    return value


def _sum(iterable: Any, start: Any = 0) -> Any:
    if not isinstance(start, int | float):
        raise BudgetExceeded("sum() adds numbers only in scripts; join lists with a comprehension")
    _tick()
    return builtins.sum(iterable, start)


def _round(number: Any, ndigits: Any = None) -> Any:
    if ndigits is not None and isinstance(ndigits, int) and abs(ndigits) > 100:
        raise BudgetExceeded("round() to more than 100 digits is not allowed in scripts")
    _tick()
    return builtins.round(number, ndigits)


class _Range:
    """``range`` whose iteration ticks the budget (so C-level loops such as ``map`` over it are timed too)."""

    __slots__ = ("_values",)

    def __init__(self, values: range):
        self._values = values

    def __iter__(self) -> Any:
        return _iterate(self._values)

    def __reversed__(self) -> Any:
        return _iterate(reversed(self._values))

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, index: Any) -> Any:
        return self._values[index]

    def __contains__(self, value: Any) -> bool:
        return value in self._values

    def __repr__(self) -> str:
        return repr(self._values)


def checked_builtins(safe: dict[str, Any], max_range: int) -> dict[str, Any]:
    """The script builtins with the size- and time-checked versions swapped in."""
    def bounded_range(*args: Any) -> Any:
        values = range(*args)
        if len(values) > max_range:
            raise ValueError(f"range of {len(values)} steps; scripts may loop at most {max_range} times")
        return _Range(values)

    checked = dict(safe)
    for name in ("map", "filter", "zip", "enumerate", "reversed"):
        checked[name] = _iterating(safe[name])
    checked.update(range=bounded_range, sum=_sum, round=_round)
    return checked


HELPERS = {"__cf_mult__": _mult, "__cf_pow__": _pow, "__cf_lshift__": _lshift, "__cf_add__": _add,
           "__cf_mod__": _mod, "__cf_iter__": _iterate, "__cf_tick__": _tick, "__cf_method__": _method,
           "__cf_call__": _call, "__cf_sized__": _sized}


# --- the rewrite ---------------------------------------------------------------------------------------------------

def _helper(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])


class _Instrument(ast.NodeTransformer):
    """Route size-growing operators, iteration, lambda calls and method calls through the checked helpers."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        helper = _OPERATORS.get(type(node.op))
        return _helper(helper, node.left, node.right) if helper else node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        helper = _OPERATORS.get(type(node.op))
        if helper is None:
            return node
        current = copy.deepcopy(node.target)
        current.ctx = ast.Load()
        return ast.Assign(targets=[node.target], value=_helper(helper, current, node.value))

    def visit_For(self, node: ast.For) -> ast.AST:
        self.generic_visit(node)
        node.iter = _helper("__cf_iter__", node.iter)
        return node

    def visit_comprehension(self, node: ast.comprehension) -> ast.AST:
        self.generic_visit(node)
        node.iter = _helper("__cf_iter__", node.iter)
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        self.generic_visit(node)
        pair = ast.Tuple(elts=[_helper("__cf_tick__"), node.body], ctx=ast.Load())
        node.body = ast.Subscript(value=pair, slice=ast.Constant(1), ctx=ast.Load())
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Attribute):
            return ast.Call(func=ast.Name(id="__cf_method__", ctx=ast.Load()),
                            args=[node.func.value, ast.Constant(node.func.attr), *node.args], keywords=node.keywords)
        return ast.Call(func=ast.Name(id="__cf_call__", ctx=ast.Load()), args=[node.func, *node.args],
                        keywords=node.keywords)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        node.value = self.visit(node.value)
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        self.generic_visit(node)
        return _helper("__cf_sized__", node)

    def visit_List(self, node: ast.List | ast.Tuple | ast.Set) -> ast.AST:
        self.generic_visit(node)
        growing = isinstance(node.ctx if hasattr(node, "ctx") else ast.Load(), ast.Load) and any(
            isinstance(element, ast.Starred) for element in node.elts)
        return _helper("__cf_sized__", node) if growing else node

    visit_Tuple = visit_Set = visit_List

    def visit_Dict(self, node: ast.Dict) -> ast.AST:
        self.generic_visit(node)
        return _helper("__cf_sized__", node) if any(key is None for key in node.keys) else node

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.ctx, ast.Load) and isinstance(node.slice, ast.Slice):
            return _helper("__cf_sized__", node)
        return node


def instrument(tree: ast.AST) -> ast.AST:
    """Rewrite a parsed script (already checked by the script rules) to run under the budget."""
    instrumented: ast.AST = _Instrument().visit(tree)
    return ast.fix_missing_locations(instrumented)


def format_spec_problem(spec: ast.JoinedStr) -> str | None:
    """f-string format specs may not compute a width or ask for a huge one."""
    for part in spec.values:
        if not isinstance(part, ast.Constant):
            return "an f-string format with a computed width or precision is not allowed in scripts"
        if any(int(number) > MAX_WIDTH for number in re.findall(r"\d+", str(part.value))):
            return f"an f-string format wider than {MAX_WIDTH:,} is not allowed in scripts"
    return None
