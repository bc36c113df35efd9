"""Formulas of computed indicators.

A formula is either a registered function's name (``reports.resolution_hours_median``,
declared by the owning module in ``MistoModule.indicators``) or an expression over other
indicators' values of the same period: ``= 100 * {SHELTERS} / {POPULATION}``, with numbers,
``+ - * /`` and parentheses only (parsed with ``ast``, never ``eval``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

from django.utils.translation import gettext as _

from misto.index.errors import IndexCode, ProgressIndexError

REFERENCE = re.compile(r"\{([A-Za-z0-9_.:-]+)\}")
FUNCTION = re.compile(r"^[a-z_]+\.[a-z0-9_]+$")
ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub, ast.Mult, ast.Div,
           ast.USub, ast.UAdd, ast.Constant, ast.Name, ast.Load)


def is_expression(formula: str) -> bool:
    return formula.strip().startswith("=")


def references(formula: str) -> list[str]:
    """The indicator codes an expression names (none for a function name)."""
    return REFERENCE.findall(formula) if is_expression(formula) else []


def _tree(formula: str) -> tuple[ast.Expression, dict[str, str]]:
    names: dict[str, str] = {}

    def name(match: re.Match[str]) -> str:
        key = f"v{len(names)}"
        names[key] = match.group(1)
        return key

    text = REFERENCE.sub(name, formula.strip()[1:]).strip()
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise ProgressIndexError(IndexCode.BAD_FORMULA, _(
            "The formula cannot be read: %(formula)s") % {"formula": formula},
            field="formula") from error
    for node in ast.walk(tree):
        if not isinstance(node, ALLOWED) or (
                isinstance(node, ast.Constant) and not isinstance(node.value, int | float)):
            raise ProgressIndexError(IndexCode.BAD_FORMULA, _(
                "A formula may hold only numbers, {CODE} references, + - * / and "
                "parentheses: %(formula)s") % {"formula": formula}, field="formula")
        if isinstance(node, ast.Name) and node.id not in names:
            raise ProgressIndexError(IndexCode.BAD_FORMULA, _(
                "Write indicator references in braces, like {POP-1}: %(formula)s")
                % {"formula": formula}, field="formula")
    return tree, names


def check(formula: str, known_codes: set[str], known_functions: set[str] | None,
          installed_modules: set[str]) -> None:
    """Refuse a formula naming an unknown indicator, or a function the installed module
    that should own it does not declare (a module switched off cannot be checked)."""
    formula = formula.strip()
    if not formula:
        raise ProgressIndexError(IndexCode.BAD_FORMULA, _(
            "A computed indicator needs a formula."), field="formula")
    if is_expression(formula):
        _tree(formula)
        unknown = [code for code in references(formula) if code not in known_codes]
        if unknown:
            raise ProgressIndexError(IndexCode.BAD_FORMULA, _(
                "The formula refers to an unknown indicator: %(codes)s")
                % {"codes": ", ".join(unknown)}, field="formula")
        return
    if not FUNCTION.match(formula):
        raise ProgressIndexError(IndexCode.BAD_FORMULA, _(
            "A formula is a function's name (module.function) or starts with '='."),
            field="formula")
    module = formula.split(".", 1)[0]
    if known_functions is not None and module in installed_modules \
            and formula not in known_functions:
        raise ProgressIndexError(IndexCode.BAD_FORMULA, _(
            "The module %(module)s declares no indicator function %(name)s.")
            % {"module": module, "name": formula}, field="formula")


def evaluate(formula: str, values: Mapping[str, float | None]) -> float | None:
    """The expression's value, or None when a referenced value is missing or a division
    by zero has no meaning."""
    tree, names = _tree(formula)

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name):
            found = values.get(names[node.id])
            if found is None:
                raise LookupError(names[node.id])
            return float(found)
        if isinstance(node, ast.UnaryOp):
            operand = walk(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            return left / right
        raise ValueError(type(node).__name__)

    try:
        return walk(tree)
    except (LookupError, ZeroDivisionError):
        return None
