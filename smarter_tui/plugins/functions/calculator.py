"""The `calculator` function: a safe arithmetic evaluator over a whitelisted Python AST."""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

from smarter_tui.domain.tools import ToolKind, ToolSpec
from smarter_tui.plugins._common import to_json

MAX_EXPRESSION_CHARS = 1000
MAX_EXPONENT = 10_000
MAX_FACTORIAL = 1000
#: Integers beyond this many bits (~4000 decimal digits) are refused as results.
MAX_INT_BITS = 13_300

Number = int | float


class CalculatorError(Exception):
    """An expression is not allowed or cannot be evaluated; the message is shown to the model."""


def _guard_n(name: str, limit: int) -> Callable[..., Number]:
    function = getattr(math, name)

    def guarded(*args: Number) -> Number:
        if args and isinstance(args[0], int | float) and abs(args[0]) > limit:
            raise CalculatorError(f"{name}() is limited to arguments up to {limit}")
        return function(*args)  # type: ignore[no-any-return]

    return guarded


def _round(value: Number, ndigits: int | None = None) -> Number:
    return round(value) if ndigits is None else round(value, int(ndigits))


_MATH_NAMES = (
    "sqrt", "cbrt", "exp", "exp2", "expm1", "log", "log10", "log2", "log1p",
    "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh",
    "asinh", "acosh", "atanh", "degrees", "radians", "floor", "ceil", "trunc",
    "gcd", "lcm", "hypot", "fabs", "isqrt", "fmod", "copysign", "pow", "dist", "erf", "erfc",
    "gamma", "lgamma", "remainder",
)  # fmt: skip

FUNCTIONS: dict[str, Callable[..., Number]] = {
    name: getattr(math, name) for name in _MATH_NAMES if hasattr(math, name)
}
FUNCTIONS.update(
    {
        "factorial": _guard_n("factorial", MAX_FACTORIAL),
        "comb": _guard_n("comb", MAX_FACTORIAL),
        "perm": _guard_n("perm", MAX_FACTORIAL),
        "abs": abs,
        "round": _round,
        "min": min,
        "max": max,
        "ln": math.log,
    }
)

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau}

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}
_OPERATOR_SYMBOLS: dict[type[ast.AST], str] = {
    ast.BitXor: "^", ast.BitAnd: "&", ast.BitOr: "|", ast.LShift: "<<", ast.RShift: ">>",
    ast.MatMult: "@", ast.Invert: "~", ast.Not: "not",
}  # fmt: skip


def _check(value: Any) -> Number:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CalculatorError("the result is not a number")
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise CalculatorError("the result is too large (more than about 4000 digits)")
    return value


def _power(base: Number, exponent: Number) -> Number:
    if abs(exponent) > MAX_EXPONENT:
        raise CalculatorError(f"exponents are limited to ±{MAX_EXPONENT}")
    growing = isinstance(base, int) and isinstance(exponent, int) and exponent > 0
    if growing and abs(base) > 1 and exponent * math.log2(abs(base)) > MAX_INT_BITS:
        raise CalculatorError("the result is too large (more than about 4000 digits)")
    result = operator.pow(base, exponent)
    if isinstance(result, complex):
        raise CalculatorError("the result is a complex number")
    return result  # type: ignore[no-any-return]


def _is_math_attribute(node: ast.Attribute) -> bool:
    """Return True for `math.<name>`: models often write math.sqrt(2) for sqrt(2)."""
    return isinstance(node.value, ast.Name) and node.value.id == "math"


def _function_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and _is_math_attribute(func) and func.attr in FUNCTIONS:
        return func.attr
    if isinstance(func, ast.Attribute):
        raise CalculatorError("attribute access is not allowed")
    raise CalculatorError("only plain function calls such as sqrt(2) are allowed")


def _evaluate(node: ast.AST) -> Number:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise CalculatorError(f"only numbers are allowed, not {node.value!r:.40}")
        return node.value
    if isinstance(node, ast.BinOp):
        op = type(node.op)
        if op not in _BINARY:
            symbol = _OPERATOR_SYMBOLS.get(op, op.__name__)
            hint = " (use ** for powers)" if op is ast.BitXor else ""
            raise CalculatorError(f"operator {symbol} is not supported{hint}")
        left, right = _evaluate(node.left), _evaluate(node.right)
        if op is ast.Pow:
            return _check(_power(left, right))
        return _check(_BINARY[op](left, right))
    if isinstance(node, ast.UnaryOp):
        unary = type(node.op)
        if unary not in _UNARY:
            symbol = _OPERATOR_SYMBOLS.get(unary, unary.__name__)
            raise CalculatorError(f"operator {symbol} is not supported")
        return _check(_UNARY[unary](_evaluate(node.operand)))
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        raise CalculatorError(f"unknown name {node.id!r}")
    if isinstance(node, ast.Call):
        name = _function_name(node.func)
        if name not in FUNCTIONS:
            raise CalculatorError(f"unknown function {name!r}")
        if node.keywords:
            raise CalculatorError("keyword arguments are not allowed")
        args = [_evaluate(arg) for arg in node.args]
        return _check(FUNCTIONS[name](*args))
    if isinstance(node, ast.Attribute):
        if _is_math_attribute(node) and node.attr in CONSTANTS:
            return CONSTANTS[node.attr]
        raise CalculatorError("attribute access is not allowed")
    raise CalculatorError(f"{type(node).__name__} expressions are not allowed")


def evaluate(expression: str) -> Number:
    """Return the value of an arithmetic expression; raises CalculatorError with a reason."""
    text = expression.strip().replace("×", "*").replace("÷", "/").replace("−", "-")
    if not text:
        raise CalculatorError("the expression is empty")
    if len(text) > MAX_EXPRESSION_CHARS:
        raise CalculatorError(f"the expression is longer than {MAX_EXPRESSION_CHARS} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError):
        raise CalculatorError(f"invalid expression: {expression!r:.80}") from None
    except (RecursionError, MemoryError):
        raise CalculatorError("the expression is nested too deeply") from None
    try:
        result = _evaluate(tree)
    except CalculatorError:
        raise
    except ZeroDivisionError:
        raise CalculatorError("division by zero") from None
    except OverflowError:
        raise CalculatorError("the result is too large") from None
    except (ValueError, TypeError) as exc:
        raise CalculatorError(str(exc) or "invalid arguments") from None
    except RecursionError:
        raise CalculatorError("the expression is nested too deeply") from None
    if isinstance(result, float) and not math.isfinite(result):
        raise CalculatorError("the result is not a finite number")
    return result


class CalculatorTool:
    """The built-in `calculator` function: returns {"result": n} or {"error": "..."}."""

    def __init__(self) -> None:
        """Create the tool with its fixed schema."""
        self.spec = ToolSpec(
            name="calculator",
            description=(
                "Evaluate an arithmetic expression exactly. Supports + - * / // % ** (power; "
                "^ is not power), parentheses, math functions such as sqrt, sin, cos, log, "
                "log10, exp, floor, ceil, factorial, gcd, abs, round, min, max, and the "
                "constants pi, e and tau. Angles are in radians."
            ),
            parameters={
                "type": "object",
                "properties": {
                    "expression": {
                        "type": "string",
                        "description": "The expression, e.g. '2**16' or 'sqrt(2) * pi'.",
                    }
                },
                "required": ["expression"],
            },
            kind=ToolKind.FUNCTION,
            source="calculator",
        )

    async def run(self, arguments: dict[str, Any]) -> str:
        """Evaluate `arguments["expression"]`; errors come back as {"error": ...}."""
        expression = (arguments or {}).get("expression")
        if isinstance(expression, int | float) and not isinstance(expression, bool):
            expression = str(expression)
        if not isinstance(expression, str):
            return to_json({"error": "'expression' must be a string"})
        try:
            return to_json({"result": evaluate(expression)})
        except CalculatorError as exc:
            return to_json({"error": str(exc)})
