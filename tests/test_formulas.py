"""Tests for the safe formula language of calculated indicators."""

from __future__ import annotations

import keyword
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from balanced_scorecard.exceptions import ExpressionError, ScorecardError
from balanced_scorecard.formulas import (
    MAX_DEPTH,
    MAX_LENGTH,
    Formula,
    FormulaResult,
    parse_formula,
)

NAN = np.nan


def value(text: str, **values: object) -> np.ndarray:
    return parse_formula(text).evaluate(values).value  # type: ignore[arg-type]


# --- the ratio case from the brief --------------------------------------------------------


def test_ratio_of_sums() -> None:
    # numerator 2 + 2 = 4, denominator 4 + 100 = 104
    values = {"n1": 2.0, "n2": 2.0, "d1": 4.0, "d2": 100.0}
    assert value("(n1 + n2) / (d1 + d2)", **values) == pytest.approx(4 / 104)
    assert value("a / b", a=4.0, b=104.0) == pytest.approx(0.0384615, rel=1e-5)
    assert value("a / b * 100", a=4.0, b=104.0) == pytest.approx(3.846, rel=1e-3)
    assert value("on_time_deliveries / deliveries * 100", on_time_deliveries=[45.0, 4.0],
                 deliveries=[50.0, 104.0]) == pytest.approx([90.0, 400 / 104])  # fmt: skip


# --- operators and functions, hand-worked ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a + b", 8.0),
        ("a - b", 4.0),
        ("a * b", 12.0),
        ("a / b", 3.0),
        ("a ** b", 36.0),
        ("-a", -6.0),
        ("+a", 6.0),
        ("--a", 6.0),
        ("2 + 3 * 4 ** 2", 50.0),
        ("(2 + 3) * 4", 20.0),
        ("2 ** 3 ** 2", 512.0),  # right-associative, as in Python
        ("-2 ** 2", -4.0),  # ** binds tighter than unary minus, as in Python
        ("10 - 4 - 3", 3.0),  # left-associative
        ("1.5e1 + 0.5", 15.5),
        ("a / b / 3", 1.0),
        ("abs(b - a)", 4.0),
        ("abs(-0.5)", 0.5),
        ("min(a, b)", 2.0),
        ("max(a, b)", 6.0),
        ("min(a, b, -1, 7)", -1.0),
        ("max(a, b, -1, 7)", 7.0),
        ("if_(a > b, 10, 20)", 10.0),
        ("if_(a < b, 10, 20)", 20.0),
        ("if_(a - 6, 10, 20)", 20.0),  # zero is false, anything else true
        ("if_(-0.1, 10, 20)", 10.0),
    ],
)
def test_operator_and_function_values(text: str, expected: float) -> None:
    assert value(text, a=6.0, b=2.0) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a < b", [1.0, 0.0, 0.0]),
        ("a <= b", [1.0, 1.0, 0.0]),
        ("a > b", [0.0, 0.0, 1.0]),
        ("a >= b", [0.0, 1.0, 1.0]),
        ("a == b", [0.0, 1.0, 0.0]),
        ("a != b", [1.0, 0.0, 1.0]),
        ("0 < a < b", [1.0, 0.0, 0.0]),
        ("0 < a <= b", [1.0, 1.0, 0.0]),
        ("b > a >= 1", [1.0, 0.0, 0.0]),
        ("(a < b) + (a > b)", [1.0, 0.0, 1.0]),
    ],
)
def test_comparisons_give_one_or_zero(text: str, expected: list[float]) -> None:
    result = value(text, a=np.array([1.0, 2.0, 3.0]), b=np.array([2.0, 2.0, 2.0]))
    assert result.dtype == np.float64
    np.testing.assert_array_equal(result, expected)


def test_chained_comparison_is_nan_if_any_operand_is_nan() -> None:
    np.testing.assert_array_equal(value("a < b < c", a=1.0, b=5.0, c=NAN), NAN)
    np.testing.assert_array_equal(value("a < b < c", a=9.0, b=5.0, c=NAN), NAN)


def test_min_max_abs_elementwise() -> None:
    a, b = np.array([1.0, -5.0, 3.0]), np.array([2.0, -6.0, 3.0])
    np.testing.assert_array_equal(value("min(a, b)", a=a, b=b), [1.0, -6.0, 3.0])
    np.testing.assert_array_equal(value("max(a, b)", a=a, b=b), [2.0, -5.0, 3.0])
    np.testing.assert_array_equal(value("abs(a)", a=a), [1.0, 5.0, 3.0])


def test_if_is_elementwise_and_nan_condition_gives_nan() -> None:
    cond = np.array([1.0, 0.0, NAN, 2.0])
    np.testing.assert_array_equal(value("if_(c, 10, 20)", c=cond), [10.0, 20.0, NAN, 10.0])


def test_if_ignores_nan_in_branch_not_taken() -> None:
    np.testing.assert_array_equal(value("if_(c, a, 0)", c=[1.0, 0.0], a=NAN), [NAN, 0.0])


# --- division by zero, overflow, NaN ---------------------------------------------------------


def test_division_by_zero_gives_nan_and_mask() -> None:
    result = parse_formula("a / b").evaluate(
        {"a": np.array([1.0, 0.0, -3.0, 8.0]), "b": np.array([0.0, 0.0, 0.0, 2.0])}
    )
    np.testing.assert_array_equal(result.value, [NAN, NAN, NAN, 4.0])
    np.testing.assert_array_equal(result.zero_division, [True, True, True, False])
    assert result.zero_division.dtype == np.bool_


@pytest.mark.parametrize(
    "text",
    ["a / 0", "0 / 0", "a / (b - b)", "(a / 0) * 0", "(a / 0) ** 0", "1 ** (a / 0)",
     "min(a / 0, 1)", "(a / 0) < 1", "abs(a / 0)", "0 ** -1", "if_(a / 0, 1, 2)"],
)  # fmt: skip
def test_zero_division_is_flagged_through_any_operation(text: str) -> None:
    result = parse_formula(text).evaluate({"a": 1.0, "b": 3.0})
    assert np.isnan(result.value)
    assert result.zero_division


def test_if_guard_suppresses_zero_division_in_branch_not_taken() -> None:
    result = parse_formula("if_(d != 0, n / d, 0)").evaluate(
        {"n": np.array([5.0, 5.0]), "d": np.array([0.0, 2.0])}
    )
    np.testing.assert_array_equal(result.value, [0.0, 2.5])
    np.testing.assert_array_equal(result.zero_division, [False, False])


def test_nan_denominator_is_nan_but_not_zero_division() -> None:
    result = parse_formula("a / b").evaluate({"a": 1.0, "b": NAN})
    assert np.isnan(result.value)
    assert not result.zero_division


@pytest.mark.parametrize(
    "text",
    ["a + 1", "1 - a", "a * 0", "a / 1", "a ** 0", "1 ** a", "-a", "abs(a)", "min(a, 1)",
     "max(1, a)", "a < 1", "a == a", "1 != a", "if_(a, 1, 2)", "if_(1, a, 2)", "if_(0, 1, a)"],
)  # fmt: skip
def test_nan_propagates(text: str) -> None:
    assert np.isnan(value(text, a=NAN))


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("a ** b", {"a": 10.0, "b": 400.0}),
        ("10 ** 400", {}),
        ("2 ** 2 ** 2 ** 2 ** 2 ** 2", {}),
        ("a * a", {"a": 1e200}),
        ("a + a", {"a": 1.7e308}),
        ("a / b", {"a": 1e300, "b": 1e-300}),
        ("a", {"a": np.inf}),
        ("a - 1", {"a": -np.inf}),
        ("(-8) ** (1 / 3)", {}),  # no real result
    ],
)
def test_overflow_and_infinity_give_nan_without_zero_division(
    text: str, values: dict[str, float]
) -> None:
    result = parse_formula(text).evaluate(values)
    assert np.isnan(result.value)
    assert not result.zero_division


# --- shapes and inputs -----------------------------------------------------------------------


def test_broadcasting_with_scalars() -> None:
    result = parse_formula("a * k + 1").evaluate({"a": np.array([1.0, 2.0, 3.0]), "k": 2})
    np.testing.assert_array_equal(result.value, [3.0, 5.0, 7.0])
    assert result.zero_division.shape == (3,)
    assert value("a + 1", a=[[1, 2], [3, 4]]).shape == (2, 2)


def test_constant_formula_is_zero_dimensional() -> None:
    result = parse_formula("2 * 21").evaluate({})
    assert result.value.shape == ()
    assert float(result.value) == 42.0


def test_scalar_zero_division_mask_broadcasts_to_value_shape() -> None:
    result = parse_formula("a + 1 / 0").evaluate({"a": np.zeros(3)})
    np.testing.assert_array_equal(result.zero_division, [True, True, True])


def test_result_arrays_are_read_only_and_inputs_untouched() -> None:
    a = np.array([1.0, np.inf])
    result = parse_formula("a").evaluate({"a": a})
    np.testing.assert_array_equal(a, [1.0, np.inf])
    with pytest.raises(ValueError, match="read-only"):
        result.value[0] = 5.0


def test_missing_value_is_an_error_naming_it() -> None:
    with pytest.raises(ExpressionError, match="needs a value for 'deliveries'") as info:
        parse_formula("on_time / deliveries").evaluate({"on_time": 1.0, "delivery": 2.0})
    assert "Did you mean 'delivery'?" in str(info.value)


def test_non_numeric_value_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="value for 'a' is not numeric"):
        parse_formula("a + 1").evaluate({"a": "lots"})


def test_shapes_that_do_not_broadcast_are_an_error() -> None:
    with pytest.raises(ExpressionError, match=r"a \(3,\), b \(2,\)"):
        parse_formula("a + b").evaluate({"a": np.zeros(3), "b": np.zeros(2)})


def test_extra_values_are_ignored() -> None:
    assert value("a", a=1.0, unrelated=np.zeros(7)) == 1.0


# --- parsing, names and error messages --------------------------------------------------------


def test_names_are_sorted_unique_and_exclude_functions() -> None:
    f = parse_formula("max(zeta, alpha) + alpha * nps_2 - if_(on_time_deliveries, 1, 2)")
    assert f.names == ("alpha", "nps_2", "on_time_deliveries", "zeta")
    assert parse_formula("1 + 2").names == ()


@pytest.mark.parametrize(
    ("text", "column", "fragments"),
    [
        ("__import__('os')", 1, ["the function '__import__'"]),
        ("a.b", 1, ["attribute access 'a.b'"]),
        ("1 + a.b", 5, ["attribute access 'a.b'"]),
        ("a[0]", 1, ["indexing 'a[0]'"]),
        ("'x'", 1, ["text", "without quotes"]),
        ("f(a)", 1, ["the function 'f'"]),
        ("lambda: 1", 1, ["a lambda 'lambda: 1'"]),
        ("a if b else c", 1, ["the conditional expression", "if_(cond, a, b)"]),
        ("a and b", 1, ["a boolean operator 'a and b'", "min(c1, c2)"]),
        ("a or b", 1, ["a boolean operator 'a or b'"]),
        ("(x:=1)", 2, ["the assignment 'x:=1'"]),
        ("[a]", 1, ["a list '[a]'"]),
        ("(a, b)", 1, ["a tuple"]),
        ("{a}", 1, ["a set"]),
        ("{a: b}", 1, ["a dict"]),
        ("[a for a in b]", 1, ["a comprehension"]),
        ("max(x for x in b)", 4, ["a comprehension"]),
        ("f'{a}'", 1, ["an f-string"]),
        ("max(*a)", 5, ["unpacking '*a'"]),
        ("min(a, key=b)", 8, ["a keyword argument 'key=b'", "by position"]),
        ("max(a, **b)", 8, ["a keyword argument '**b'"]),
        ("a.b(1)", 1, ["calling 'a.b'"]),
        ("a % b", 3, ["the operator '%'"]),
        ("a // b", 3, ["the operator '//'"]),
        ("a ^ 2", 3, ["the operator '^'", "a ** b"]),
        ("a & b", 3, ["the operator '&'"]),
        ("a @ b", 3, ["the operator '@'"]),
        ("a << 2", 3, ["the operator '<<'"]),
        ("~a", 1, ["the operator '~'"]),
        ("not a", 1, ["the operator 'not'"]),
        ("a is b", 3, ["the operator 'is'"]),
        ("a in b", 3, ["the operator 'in'"]),
        ("a < b not in c", 7, ["the operator 'not'"]),
        ("True + 1", 1, ["the constant True", "1 or 0"]),
        ("None", 1, ["the constant None"]),
        ("2j", 1, ["the constant 2j"]),
        ("...", 1, ["the constant Ellipsis"]),
        ("1e999", 1, ["a number this large"]),
        ("1" + "0" * 400, 1, ["a number this large"]),
        ("abs(a, b)", 1, ["abs() with 2 argument(s)", "Write abs(x)"]),
        ("min(a)", 1, ["min() with 1 argument(s)", "min(a, b, ...)"]),
        ("if_(a, b)", 1, ["if_() with 2 argument(s)", "if_(cond, a, b)"]),
        ("await a", 1, ["Await"]),
        ("é + a.b", 5, ["attribute access"]),  # columns count characters, not bytes
        ("  a.b", 3, ["attribute access"]),  # leading blanks are kept in the column
    ],
)
def test_forbidden_constructs_are_named_with_column(
    text: str, column: int, fragments: list[str]
) -> None:
    with pytest.raises(ExpressionError) as info:
        parse_formula(text)
    message = str(info.value)
    assert message.startswith(f"Formula {text!r}, column {column}: ")
    for fragment in fragments:
        assert fragment in message
    assert "not allowed" in message
    assert "Formulas may use numbers" in message  # says what is allowed


@pytest.mark.parametrize(
    ("text", "column", "token"),
    [
        ("a +", 4, "the end of the formula"),
        ("a $ b", 3, "'$'"),
        ("a + * b", 5, "'*'"),
        ("3 4", 3, "'4'"),
        ("a +)", 4, "')'"),
        ("(a + b", 1, "'('"),
        ("a = 1", 3, "'='"),
        ("  a $ b", 5, "'$'"),
    ],
)
def test_syntax_errors_name_column_and_token(text: str, column: int, token: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse_formula(text)
    assert str(info.value).startswith(
        f"Formula {text!r}, column {column}: invalid syntax at {token}"
    )


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_formula(text: str) -> None:
    with pytest.raises(ExpressionError, match="is empty"):
        parse_formula(text)


def test_non_string_formula() -> None:
    with pytest.raises(ExpressionError, match="must be a string, got int"):
        parse_formula(42)  # type: ignore[arg-type]


def test_null_byte_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="null bytes"):
        parse_formula("a\x00")


def test_blanks_and_line_breaks_are_spaces() -> None:
    assert value("  a +\n\tb\r\n * 2 ", a=1.0, b=2.0) == 5.0


def test_unknown_name_with_suggestion() -> None:
    with pytest.raises(ExpressionError) as info:
        parse_formula("on_time / deliveres", names=["on_time", "deliveries"])
    message = str(info.value)
    assert "column 11" in message
    assert "unknown indicator id 'deliveres'" in message
    assert "Did you mean 'deliveries'?" in message


def test_unknown_name_without_close_match() -> None:
    with pytest.raises(ExpressionError, match="Check the spelling"):
        parse_formula("zzz + 1", names=["revenue"])


def test_function_used_as_name_gets_a_hint() -> None:
    with pytest.raises(ExpressionError, match=r"'max' is a function; call it as max\(a, b"):
        parse_formula("max + 1", names=["revenue"])


def test_known_names_pass() -> None:
    assert parse_formula("a + b", names={"a", "b", "c"}).names == ("a", "b")


def test_unknown_function_suggestion() -> None:
    with pytest.raises(ExpressionError, match="Did you mean 'if_'"):
        parse_formula("iff(a, 1, 2)")


def test_length_limit() -> None:
    parse_formula("1" + " " * (MAX_LENGTH - 1))
    with pytest.raises(ExpressionError, match=f"the limit is {MAX_LENGTH}"):
        parse_formula("a" + " + a" * MAX_LENGTH)


def test_depth_limit() -> None:
    text = "+".join(f"x{i}" for i in range(MAX_DEPTH))  # nests MAX_DEPTH - 1 deep
    assert len(parse_formula(text).names) == MAX_DEPTH
    with pytest.raises(ExpressionError, match=f"more than {MAX_DEPTH} levels"):
        parse_formula(text + "+x")
    with pytest.raises(ExpressionError, match="column"):
        parse_formula("(" * 300 + "a" + ")" * 300)


def test_errors_are_scorecard_and_value_errors() -> None:
    with pytest.raises(ScorecardError):
        parse_formula("a.b")
    with pytest.raises(ValueError, match="not allowed"):
        parse_formula("a.b")


# --- the Formula and FormulaResult objects ---------------------------------------------------


def test_formula_is_a_comparable_hashable_picklable_value() -> None:
    f = parse_formula("a / b")
    assert f == Formula(text="a / b")
    assert f == Formula(text="a / b", names=("a", "b"))
    assert hash(f) == hash(parse_formula("a / b"))
    assert pickle.loads(pickle.dumps(f)) == f
    assert repr(f) == "Formula(text='a / b', names=('a', 'b'))"


def test_formula_rejects_names_that_do_not_match_text() -> None:
    with pytest.raises(ExpressionError, match="Omit names"):
        Formula(text="a / b", names=("a",))


def test_formula_constructor_checks_text() -> None:
    with pytest.raises(ExpressionError, match="attribute access"):
        Formula(text="a.b")


def test_formula_result_equality_treats_nan_as_equal() -> None:
    f = parse_formula("a / b")
    one = f.evaluate({"a": [1.0, 1.0], "b": [0.0, 2.0]})
    assert one == f.evaluate({"a": [1.0, 1.0], "b": [0.0, 2.0]})
    assert one != f.evaluate({"a": [1.0, 1.0], "b": [1.0, 2.0]})
    assert isinstance(one, FormulaResult)


# --- properties ------------------------------------------------------------------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
any_finite = st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def pair(draw: st.DrawFn, elements: st.SearchStrategy[float]) -> tuple[np.ndarray, np.ndarray]:
    shape = draw(hnp.array_shapes(max_dims=2, max_side=5))
    return (
        draw(hnp.arrays(np.float64, shape, elements=elements)),
        draw(hnp.arrays(np.float64, shape, elements=elements)),
    )


@given(pair(finite))
def test_add_then_subtract_round_trips(ab: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = ab
    np.testing.assert_allclose(value("a + b - b", a=a, b=b), a, rtol=0, atol=1e-9)


@given(pair(any_finite))
def test_min_never_exceeds_max(ab: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = ab
    f = parse_formula("min(a, b) <= max(a, b)")
    assert np.all(f.evaluate({"a": a, "b": b}).value == 1.0)


@given(pair(any_finite | st.just(0.0)))
def test_division_never_yields_inf(ab: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = ab
    result = parse_formula("a / b").evaluate({"a": a, "b": b})
    assert not np.isinf(result.value).any()
    np.testing.assert_array_equal(result.zero_division, b == 0)
    assert np.isnan(result.value[b == 0]).all()


RESERVED = {"abs", "min", "max", "if_"} | set(keyword.kwlist) | set(keyword.softkwlist)
names = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(lambda n: n not in RESERVED)


def _combine(
    children: st.SearchStrategy[tuple[str, frozenset[str]]],
) -> st.SearchStrategy[tuple[str, frozenset[str]]]:
    def binary(op: str) -> st.SearchStrategy[tuple[str, frozenset[str]]]:
        return st.tuples(children, children).map(
            lambda lr: (f"({lr[0][0]} {op} {lr[1][0]})", lr[0][1] | lr[1][1])
        )

    calls = st.tuples(st.sampled_from(["min", "max"]), st.lists(children, min_size=2, max_size=3))
    return st.one_of(
        *(binary(op) for op in ["+", "-", "*", "/", "**", "<", "<=", "==", "!="]),
        children.map(lambda c: (f"-{c[0]}", c[1])),
        children.map(lambda c: (f"abs({c[0]})", c[1])),
        calls.map(
            lambda fc: (
                f"{fc[0]}({', '.join(c[0] for c in fc[1])})",
                frozenset().union(*(c[1] for c in fc[1])),
            )
        ),
    )


leaves: st.SearchStrategy[tuple[str, frozenset[str]]] = names.map(
    lambda n: (n, frozenset([n]))
) | st.integers(0, 99).map(lambda i: (str(i), frozenset()))
formulas = st.recursive(leaves, _combine, max_leaves=12)


@given(formulas)
def test_parse_is_deterministic_and_names_are_correct(
    formula: tuple[str, frozenset[str]],
) -> None:
    text, expected = formula
    f = parse_formula(text)
    assert f.names == tuple(sorted(expected))
    assert parse_formula(text) == f
    assert parse_formula(text, names=expected) == f
    result = f.evaluate(dict.fromkeys(expected, np.array([0.0, 1.5, -2.0])))
    assert not np.isinf(result.value).any()
    assert np.isnan(result.value[result.zero_division]).all()
