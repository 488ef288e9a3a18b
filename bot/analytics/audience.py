"""Playbook audience conditions compiled to SQL over customers, from the condition's syntax tree.

The condition is parsed by the same Jinja environment that evaluates it, and each node of the
tree becomes a SQLAlchemy expression. Translated, combined freely with and / or / not and
parentheses:

- 'tag' in customer.tags, 'tag' not in customer.tags
- customer.stage, customer.value_tier or customer.name == or != a string, or in a list of strings
- is_anniversary(customer.birthday, today) (29 February counts on 28 February in a common year)
- true and false

Anything else (metrics, attributes, string methods, arithmetic) is not translated: `condition_sql`
returns None and the caller evaluates the condition in Python, customer by customer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import TemplateSyntaxError
from sqlalchemy import and_, false, func, not_, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from bot.models import Customer, CustomerTag, Tag
from bot.playbooks.templates import environment

FIELDS = {"stage": Customer.stage, "value_tier": Customer.value_tier, "name": Customer.name}


class Untranslatable(Exception):
    """A part of the condition that has no SQL form here."""


def condition_sql(condition: str, dialect: str, today: date) -> ColumnElement[bool] | None:
    """The condition as a SQL clause over customers, or None when some part of it has no SQL form."""
    try:
        template = environment().parse("{{ (" + condition + ") }}")
    except TemplateSyntaxError:
        return None
    try:
        [output] = template.body
        if not isinstance(output, nodes.Output) or len(output.nodes) != 1:
            raise Untranslatable(condition)
        return _Compiler(dialect, today).truth(output.nodes[0])
    except (Untranslatable, ValueError):
        return None


def has_tag(name: str) -> ColumnElement[bool]:
    return Customer.id.in_(select(CustomerTag.customer_id).join(Tag, Tag.id == CustomerTag.tag_id)
                           .where(Tag.name == name))


class _Compiler:
    def __init__(self, dialect: str, today: date) -> None:
        self.dialect = dialect
        self.today = today

    def truth(self, node: nodes.Node) -> ColumnElement[bool]:
        """A node used as a condition. Every clause is true or false, never NULL, so `not` is exact."""
        if isinstance(node, nodes.And):
            return and_(self.truth(node.left), self.truth(node.right))
        if isinstance(node, nodes.Or):
            return or_(self.truth(node.left), self.truth(node.right))
        if isinstance(node, nodes.Not):
            return not_(self.truth(node.node))
        if isinstance(node, nodes.Const) and isinstance(node.value, bool):
            return true() if node.value else false()
        if isinstance(node, nodes.Compare) and len(node.ops) == 1:
            return self.compare(node.expr, node.ops[0].op, node.ops[0].expr)
        if isinstance(node, nodes.Call):
            return self.call(node)
        raise Untranslatable(type(node).__name__)

    def compare(self, left: nodes.Node, op: str, right: nodes.Node) -> ColumnElement[bool]:
        if op in ("in", "notin"):
            clause = self.membership(left, right)
            return not_(clause) if op == "notin" else clause
        if op in ("eq", "ne"):
            if _string(left) is not None:
                left, right = right, left
            column, value = self.field(left), _string(right)
            if value is None:
                raise Untranslatable(op)
            return column == value if op == "eq" else column != value
        raise Untranslatable(op)

    def membership(self, item: nodes.Node, container: nodes.Node) -> ColumnElement[bool]:
        if _customer_attr(container) == "tags" and (name := _string(item)) is not None:
            return has_tag(name)
        if isinstance(container, (nodes.List, nodes.Tuple)):
            values = [_string(v) for v in container.items]
            if any(v is None for v in values):
                raise Untranslatable("in")
            return self.field(item).in_(values) if values else false()
        raise Untranslatable("in")

    def field(self, node: nodes.Node) -> Any:
        attr = _customer_attr(node)
        if attr not in FIELDS:
            raise Untranslatable(f"customer.{attr}")
        return FIELDS[attr]

    def call(self, node: nodes.Call) -> ColumnElement[bool]:
        plain = not (node.kwargs or node.dyn_args or node.dyn_kwargs)
        if not (isinstance(node.node, nodes.Name) and node.node.name == "is_anniversary" and plain
                and len(node.args) == 2 and _customer_attr(node.args[0]) == "birthday"
                and isinstance(node.args[1], nodes.Name) and node.args[1].name == "today"):
            raise Untranslatable("call")
        month_day = func.strftime("%m-%d", Customer.birthday) if self.dialect == "sqlite" \
            else func.to_char(Customer.birthday, "MM-DD")
        days = [self.today.strftime("%m-%d")]
        if (self.today.month, self.today.day) == (2, 28) and not _leap(self.today.year):
            days.append("02-29")
        return and_(Customer.birthday.is_not(None), month_day.in_(days))


def _customer_attr(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name) and node.node.name == "customer":
        return node.attr
    return None


def _string(node: nodes.Node) -> str | None:
    return node.value if isinstance(node, nodes.Const) and isinstance(node.value, str) else None


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
