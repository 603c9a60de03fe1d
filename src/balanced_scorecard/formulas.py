"""Safe formulas for calculated indicators, such as ``on_time_deliveries / deliveries * 100``.

Formulas are parsed with :mod:`ast`, checked against a whitelist of constructs and compiled
into closures that compute element-wise over numpy ``float64`` arrays. Nothing is ever passed
to ``eval``. The language:

* numbers (``3``, ``2.5``, ``1e-3``) and indicator ids (``revenue``, ``nps_2``);
* ``+ - * / **``, unary ``+ -`` and parentheses (``%`` and ``//`` are deliberately absent);
* comparisons ``< <= > >= == !=``, chains such as ``0 < a < 1`` too, giving 1.0 or 0.0;
* ``abs(x)``, ``min(a, b, ...)``, ``max(a, b, ...)`` and ``if_(cond, a, b)``, where ``if_``
  takes ``a`` where ``cond`` is non-zero and ``b`` where it is zero.

Missing data is NaN and propagates through every operator, comparison and function (also
``1 ** nan``); only ``if_`` ignores the branch it does not take, so
``if_(deliveries > 0, on_time / deliveries, 0)`` is a clean guard. Results are never
infinite: division by zero (``x / 0``, ``0 / 0`` and ``0 ** -1``) gives NaN and is flagged in
:attr:`FormulaResult.zero_division`; overflow (``10 ** 400``) and infinite inputs give NaN.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Collection, Mapping
from typing import Any, NamedTuple

import attrs
import numpy as np
import numpy.typing as npt

from balanced_scorecard._suggest import did_you_mean
from balanced_scorecard.exceptions import ExpressionError

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "Formula", "FormulaResult", "parse_formula"]

MAX_LENGTH = 2000
"""Longest formula text accepted, in characters."""
MAX_DEPTH = 100
"""Deepest nesting accepted; each operator, call and operand is a level (``a + b + c``: 3)."""

_Floats = npt.NDArray[np.float64]
_Bools = npt.NDArray[np.bool_]
_Out = tuple[_Floats, _Bools]
_Env = Mapping[str, _Floats]
_Node = Callable[[_Env], _Out]

_ALLOWED = (
    "Formulas may use numbers, indicator ids, parentheses, + - * / **, comparisons "
    "(< <= > >= == !=) and the functions abs(x), min(a, b, ...), max(a, b, ...) and "
    "if_(cond, a, b)."
)
_NO_ZERO: _Bools = np.zeros((), dtype=np.bool_)


def _finite(x: npt.ArrayLike) -> _Floats:
    # An infinite value is as undefined as a missing one, and inf would poison rollups.
    arr = np.asarray(x, dtype=np.float64)
    return np.where(np.isinf(arr), np.nan, arr)


def _any(masks: list[_Bools]) -> _Bools:
    return functools.reduce(np.logical_or, masks, _NO_ZERO)


def _divide(a: _Floats, b: _Floats) -> _Out:
    zero = b == 0
    return np.where(zero, np.nan, a / b), zero


def _power(a: _Floats, b: _Floats) -> _Out:
    zero = (a == 0) & (b < 0)  # 0 ** -n is 1 / 0 ** n
    # numpy follows IEEE (1 ** nan == 1, nan ** 0 == 1); for data a missing input must stay missing.
    undefined = np.isnan(a) | np.isnan(b) | zero
    return np.where(undefined, np.nan, a**b), zero


_ARITHMETIC: dict[type[ast.operator], Callable[[_Floats, _Floats], _Out]] = {
    ast.Add: lambda a, b: (a + b, _NO_ZERO),
    ast.Sub: lambda a, b: (a - b, _NO_ZERO),
    ast.Mult: lambda a, b: (a * b, _NO_ZERO),
    ast.Div: _divide,
    ast.Pow: _power,
}
_COMPARISONS: dict[type[ast.cmpop], Callable[[_Floats, _Floats], _Bools]] = {
    ast.Lt: np.less, ast.LtE: np.less_equal, ast.Gt: np.greater, ast.GtE: np.greater_equal,
    ast.Eq: np.equal, ast.NotEq: np.not_equal,
}  # fmt: skip


def _if(args: list[_Out]) -> _Out:
    (cond, z_cond), (a, z_a), (b, z_b) = args
    unknown = np.isnan(cond)
    take_a = (cond != 0) & ~unknown
    # The branch not taken was computed too (vectorised), but its zero divisions do not count.
    zero = z_cond | (~unknown & np.where(take_a, z_a, z_b))
    return np.where(unknown, np.nan, np.where(take_a, a, b)), zero


def _extreme(pick: Callable[[_Floats, _Floats], _Floats]) -> Callable[[list[_Out]], _Out]:
    def apply(args: list[_Out]) -> _Out:
        return functools.reduce(pick, [v for v, _ in args]), _any([z for _, z in args])

    return apply


# name -> (fewest args, most args or None, usage, implementation)
_FUNCTIONS: dict[str, tuple[int, int | None, str, Callable[[list[_Out]], _Out]]] = {
    "abs": (1, 1, "abs(x)", lambda args: (np.abs(args[0][0]), args[0][1])),
    "min": (2, None, "min(a, b, ...)", _extreme(np.minimum)),  # np.minimum propagates NaN
    "max": (2, None, "max(a, b, ...)", _extreme(np.maximum)),
    "if_": (3, 3, "if_(cond, a, b)", _if),
}
_SYMBOLS: dict[type[ast.AST], str] = {
    ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|",
    ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>", ast.Not: "not", ast.Invert: "~",
    ast.Is: "is", ast.IsNot: "is", ast.In: "in", ast.NotIn: "not",
}  # fmt: skip
_SYMBOL_HINTS = {"^": "Write powers as a ** b.", "not": "Write 1 - cond or if_(cond, 0, 1)."}
_LISTED = "Pass several values as arguments instead, e.g. max(a, b)."
_LOOPS = "Formulas cannot loop; list the values, e.g. max(a, b, c)."
_FORBIDDEN: dict[type[ast.AST], tuple[str, str]] = {
    ast.Attribute: ("attribute access", "Refer to an indicator by its id alone, e.g. revenue."),
    ast.Subscript: ("indexing", "Formulas work on whole series; drop the [...]."),
    ast.IfExp: ("the conditional expression", "Write if_(cond, a, b) instead."),
    ast.BoolOp: ("a boolean operator", "Use min(c1, c2) for 'and', max(c1, c2) for 'or'."),
    ast.NamedExpr: ("the assignment", "Define another calculated indicator instead."),
    ast.Lambda: ("a lambda", "Formulas cannot define functions."),
    ast.JoinedStr: ("an f-string", "Formulas compute numbers, not text."),
    ast.Starred: ("unpacking", "Pass arguments one by one."),
    ast.List: ("a list", _LISTED), ast.Tuple: ("a tuple", _LISTED), ast.Set: ("a set", _LISTED),
    ast.Dict: ("a dict", _LISTED), ast.ListComp: ("a comprehension", _LOOPS),
    ast.SetComp: ("a comprehension", _LOOPS), ast.DictComp: ("a comprehension", _LOOPS),
    ast.GeneratorExp: ("a comprehension", _LOOPS),
}  # fmt: skip


class _Compiled(NamedTuple):
    root: _Node
    names: tuple[str, ...]
    first_use: Mapping[str, int]  # name -> index of its first use in the text, for messages


def _fail(text: str, index: int, problem: str, hint: str = "") -> ExpressionError:
    message = f"Formula {text!r}, column {index + 1}: {problem}."
    return ExpressionError(" ".join(filter(None, (message, hint, _ALLOWED))))


class _Compiler:
    def __init__(self, text: str, lead: int, body: str) -> None:
        self.text, self.lead, self.body = text, lead, body
        self.encoded = body.encode()
        self.first_use: dict[str, int] = {}

    def at(self, node: ast.AST, end: bool = False) -> int:
        # ast columns count UTF-8 bytes; messages count characters of the original text.
        col = getattr(node, "end_col_offset" if end else "col_offset", 0) or 0
        return self.lead + len(self.encoded[:col].decode(errors="ignore"))

    def fail(self, node: ast.AST | int, problem: str, hint: str = "") -> ExpressionError:
        return _fail(self.text, node if isinstance(node, int) else self.at(node), problem, hint)

    def forbidden(self, node: ast.AST, what: str, hint: str = "") -> ExpressionError:
        segment = (ast.get_source_segment(self.body, node) or "")[:40]
        shown = f" {segment!r}" if segment and segment not in what else ""
        return self.fail(node, f"{what}{shown} is not allowed", hint)

    def operator(
        self, op: ast.AST, left: ast.expr, right: ast.expr | None = None
    ) -> ExpressionError:
        symbol = _SYMBOLS.get(type(op), type(op).__name__)
        index = self.at(left)  # a unary operator: the node itself
        if right is not None:  # point at the operator, not at the start of its left operand
            found = self.text.find(symbol, self.at(left, end=True), self.at(right))
            index = found if found >= 0 else self.at(left, end=True)
        hint = _SYMBOL_HINTS.get(symbol, "")
        return self.fail(index, f"the operator '{symbol}' is not allowed", hint)

    def build(self, node: ast.expr, depth: int) -> _Node:
        if depth > MAX_DEPTH:
            problem = f"the formula nests more than {MAX_DEPTH} levels deep"
            raise self.fail(node, problem, "Split it into several calculated indicators.")
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            self.first_use.setdefault(node.id, self.at(node))
            name = node.id
            return lambda env: (env[name], _NO_ZERO)
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _ARITHMETIC:
                raise self.operator(node.op, node.left, node.right)
            return self.binary(node, depth)
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.UAdd | ast.USub):
                raise self.operator(node.op, node)
            operand = self.build(node.operand, depth + 1)
            return operand if isinstance(node.op, ast.UAdd) else _negate(operand)
        if isinstance(node, ast.Compare):
            return self.compare(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise self.forbidden(node, *_FORBIDDEN.get(type(node), (f"{type(node).__name__}", "")))

    def constant(self, node: ast.Constant) -> _Node:
        value = node.value
        if isinstance(value, str | bytes):
            raise self.forbidden(node, "text", "Write indicator ids without quotes.")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.forbidden(node, f"the constant {value!r}", "Use a number such as 1 or 0.")
        try:
            number = float(value)
        except OverflowError:  # an int literal beyond the float range
            number = np.inf
        if not np.isfinite(number):
            raise self.forbidden(node, "a number this large", "Numbers must be below 1.8e308.")
        arr = np.asarray(number, dtype=np.float64)
        return lambda env: (arr, _NO_ZERO)

    def binary(self, node: ast.BinOp, depth: int) -> _Node:
        left, right = self.build(node.left, depth + 1), self.build(node.right, depth + 1)
        op = _ARITHMETIC[type(node.op)]

        def apply(env: _Env) -> _Out:
            (a, z_a), (b, z_b) = left(env), right(env)
            value, zero = op(a, b)
            return _finite(value), z_a | z_b | zero

        return apply

    def compare(self, node: ast.Compare, depth: int) -> _Node:
        exprs = [node.left, *node.comparators]
        for op, left, right in zip(node.ops, exprs[:-1], exprs[1:], strict=True):
            if type(op) not in _COMPARISONS:
                raise self.operator(op, left, right)
        tests = [_COMPARISONS[type(op)] for op in node.ops]
        operands = [self.build(e, depth + 1) for e in exprs]

        def apply(env: _Env) -> _Out:
            outs = [o(env) for o in operands]
            vals = [v for v, _ in outs]
            held = [t(a, b) for t, a, b in zip(tests, vals[:-1], vals[1:], strict=True)]
            unknown = _any([np.isnan(v) for v in vals])
            value = np.where(unknown, np.nan, functools.reduce(np.logical_and, held))
            return value.astype(np.float64), _any([z for _, z in outs])

        return apply

    def call(self, node: ast.Call, depth: int) -> _Node:
        if not isinstance(node.func, ast.Name):
            raise self.forbidden(node.func, "calling")
        name = node.func.id
        if name not in _FUNCTIONS:
            hint = did_you_mean(name, _FUNCTIONS).strip()
            raise self.fail(node, f"the function '{name}' is not allowed", hint)
        if node.keywords:
            raise self.forbidden(node.keywords[0], "a keyword argument", "Pass them by position.")
        args = [self.build(a, depth + 1) for a in node.args]  # report bad arguments first
        fewest, most, usage, impl = _FUNCTIONS[name]
        if len(args) < fewest or (most is not None and len(args) > most):
            problem = f"{name}() with {len(args)} argument(s) is not allowed"
            raise self.fail(node, problem, f"Write {usage}.")
        return lambda env: impl([a(env) for a in args])


def _negate(operand: _Node) -> _Node:
    def apply(env: _Env) -> _Out:
        value, zero = operand(env)
        return -value, zero

    return apply


# Line breaks and tabs count as spaces (one for one, so columns still match the text), which
# lets a formula span lines in a definition file.
_BLANKS = str.maketrans("\r\n\t\f\v", "     ")


@functools.lru_cache(maxsize=1024)
def _compile(text: str) -> _Compiled:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"Formula {text[:60]!r}... is {len(text)} characters long; the limit is "
            f"{MAX_LENGTH}. Split it into several calculated indicators."
        )
    body = text.translate(_BLANKS).lstrip()  # else Python reports an 'unexpected indent'
    lead = len(text) - len(body)
    if not body.strip():
        raise ExpressionError(f"Formula {text!r} is empty. Write an expression such as a / b.")
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError as exc:
        # CPython gives a 1-based character offset; 0 or None means the end of the text.
        index = (
            min(lead + exc.offset - 1, len(text)) if exc.offset and exc.lineno == 1 else len(text)
        )
        token = f"{text[index]!r}" if index < len(text) else "the end of the formula"
        detail = "" if exc.msg == "invalid syntax" else f" ({exc.msg})"
        raise _fail(text, index, f"invalid syntax at {token}{detail}") from None
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes; absurd nesting
        raise ExpressionError(f"Formula {text!r} cannot be parsed: {exc}. {_ALLOWED}") from None
    compiler = _Compiler(text, lead, body)
    root = compiler.build(tree.body, 1)
    return _Compiled(root, tuple(sorted(compiler.first_use)), compiler.first_use)


def _compiled(text: object) -> _Compiled:
    if not isinstance(text, str):
        raise ExpressionError(f"A formula must be a string, got {type(text).__name__} {text!r}.")
    return _compile(text)


def _names_of(formula: Formula) -> tuple[str, ...]:
    return _compiled(formula.text).names


def _same(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> bool:
    # Arrays have no single truth value, and two undefined results are the same result.
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


@attrs.frozen(kw_only=True)
class FormulaResult:
    """The outcome of :meth:`Formula.evaluate`; both arrays are read-only.

    Parameters
    ----------
    value
        ``float64`` values, NaN where undefined (missing inputs, division by zero, overflow).
    zero_division
        ``True`` where a division by zero happened; ``value`` is NaN there.
    """

    value: _Floats = attrs.field(eq=attrs.cmp_using(eq=_same), hash=False)
    zero_division: _Bools = attrs.field(eq=attrs.cmp_using(eq=_same), hash=False)


@attrs.frozen(kw_only=True)
class Formula:
    """A checked formula; build one with :func:`parse_formula`.

    Parameters
    ----------
    text
        The formula as written, e.g. ``"on_time / deliveries * 100"``.
    names
        The indicator ids it refers to, sorted and unique; derived from ``text`` if omitted.

    Examples
    --------
    >>> f = Formula(text="on_time / deliveries * 100")
    >>> f.names
    ('deliveries', 'on_time')
    >>> print(f.evaluate({"on_time": [45, 9], "deliveries": [50, 0]}).value)
    [90. nan]
    """

    text: str
    names: tuple[str, ...] = attrs.field(default=attrs.Factory(_names_of, takes_self=True))

    def __attrs_post_init__(self) -> None:
        expected = _compiled(self.text).names
        if tuple(self.names) != expected:
            raise ExpressionError(
                f"Formula {self.text!r} refers to {expected}, but names={self.names!r} was given. "
                "Omit names to have it derived from the text."
            )

    def evaluate(self, values: Mapping[str, npt.ArrayLike]) -> FormulaResult:
        """Compute the formula element-wise.

        Parameters
        ----------
        values
            A number or array for every id in :attr:`names`; shapes must broadcast. The
            result has their common shape (a 0-d array when all are scalars).

        Returns
        -------
        FormulaResult
            Values with NaN where undefined, and where division by zero happened.

        Raises
        ------
        ExpressionError
            If a value is missing, not numeric, or the shapes do not broadcast.

        Examples
        --------
        >>> r = parse_formula("a / b").evaluate({"a": [1.0, 0.0, 3.0], "b": [4.0, 0.0, 0.0]})
        >>> print(r.value, r.zero_division)
        [0.25 nan nan] [False  True  True]
        """
        env: dict[str, _Floats] = {}
        for name in self.names:
            if name not in values:
                raise ExpressionError(
                    f"Formula {self.text!r} needs a value for '{name}', which is missing."
                    f"{did_you_mean(name, values)} Pass a number or array for each of: "
                    f"{', '.join(self.names)}."
                )
            try:
                env[name] = _finite(values[name])
            except (TypeError, ValueError) as exc:
                raise ExpressionError(
                    f"Formula {self.text!r}: the value for '{name}' is not numeric ({exc}). "
                    "Pass a number or an array of numbers."
                ) from None
        try:
            np.broadcast_shapes(*(v.shape for v in env.values()))
        except ValueError:
            shapes = ", ".join(f"{k} {v.shape}" for k, v in env.items())
            raise ExpressionError(
                f"Formula {self.text!r}: the values have shapes that do not fit together "
                f"({shapes}). Give every indicator the same shape, or a single number."
            ) from None
        with np.errstate(all="ignore"):  # every undefined case is turned into NaN on purpose
            value, zero = np.broadcast_arrays(*_compiled(self.text).root(env))
            value, zero = np.where(zero, np.nan, value), np.array(zero, dtype=np.bool_)
        value.flags.writeable = zero.flags.writeable = False
        return FormulaResult(value=value, zero_division=zero)


def parse_formula(text: str, *, names: Collection[str] | None = None) -> Formula:
    """Parse and check a formula.

    Parameters
    ----------
    text
        The formula, e.g. ``"on_time_deliveries / deliveries * 100"``. At most
        :data:`MAX_LENGTH` characters and :data:`MAX_DEPTH` levels of nesting.
    names
        The indicator ids the formula may refer to; ``None`` accepts any identifier.

    Returns
    -------
    Formula

    Raises
    ------
    ExpressionError
        On a syntax error, a construct outside the language or an unknown id; the message
        names the formula, the column and the offending token.

    Examples
    --------
    >>> parse_formula("max(nps_2, 0) + revenue").names
    ('nps_2', 'revenue')
    >>> parse_formula("revenu * 2", names=["revenue"])
    Traceback (most recent call last):
    ...
    balanced_scorecard.exceptions.ExpressionError: Formula 'revenu * 2', column 1: unknown ...
    """
    compiled = _compiled(text)
    if names is not None:
        allowed = set(names)
        for name, index in sorted(compiled.first_use.items(), key=lambda item: item[1]):
            if name not in allowed:
                hint = did_you_mean(name, allowed).strip() or (
                    "Check the spelling, or define an indicator with this id."
                )
                if name in _FUNCTIONS:
                    hint = f"'{name}' is a function; call it as {_FUNCTIONS[name][2]}."
                problem = f"unknown indicator id '{name}'"
                raise _fail(text, index, problem, hint)
    return Formula(text=text, names=compiled.names)
