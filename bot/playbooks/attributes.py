"""What sets the customer attributes a playbook relies on, for `siyu playbook check`.

A playbook that reads `customer.attributes.membership_expires` (in a text, a condition, or as the
date of a step of a scheduled playbook) waits for ever when nothing fills that attribute. Siyu sets
a few itself (`BUILT_IN`); every other attribute comes from outside, and only the operator knows
from where: `[bot] customer_attributes` as a table says it per attribute (`ATTRIBUTE_SOURCES`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from jinja2 import nodes

from bot.config import ATTRIBUTE_SOURCES, Config
from bot.playbooks.lint import Finding, _chain, _parse, sources
from bot.playbooks.schema import Playbook

# Attributes Siyu sets itself, and what sets them.
BUILT_IN = {
    "name_source": "Siyu, when it names a follower (known, guide_remark, none)",
    "referred_by": "a customer added through a referral code (推荐码)",
    "mp_subscribed": "the Official Account's subscribe and unsubscribe events",
    "phone": "a CSV import's phone column",
}


def relied_on(playbook: Playbook) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(key path, attribute name) for every customer attribute the playbook reads."""
    for path, source, is_condition, _ in sources(playbook):
        seen: set[str] = set()
        for node in _parse(source, is_condition).find_all((nodes.Getattr, nodes.Getitem)):
            chain = _chain(node)
            if chain and len(chain) > 2 and chain[:2] == ["customer", "attributes"] and chain[2] not in seen:
                seen.add(chain[2])
                yield path, chain[2]
    if playbook.trigger.event is None:  # no event data to take the date from: it is an attribute
        for index, step in enumerate(playbook.steps):
            for key in ("of", "on"):
                if getattr(step, key):
                    yield ("steps", index, key), getattr(step, key)


def setter_findings(playbook: Playbook, config: Config) -> list[Finding]:
    """Warnings for attributes the playbook relies on that nothing in this installation sets."""
    declared = config.bot.customer_attributes
    if not declared:
        return []  # attributes are not declared: names are not checked, and neither are setters
    findings, warned = [], set()
    for path, name in relied_on(playbook):
        problem = None if name in warned else _nothing_sets(name, declared, bool(config.api.tokens))
        if problem:  # once per attribute, at the first place that relies on it
            warned.add(name)
            findings.append(Finding(path, problem, "warning"))
    return findings


def _nothing_sets(name: str, declared: Sequence[str] | Mapping[str, Sequence[str]], api_open: bool) -> str | None:
    if name in BUILT_IN or name not in declared:
        return None  # an undeclared name is already an error of its own
    if not isinstance(declared, Mapping):
        return (f"customer.attributes.{name}: nothing says what sets it; declare [bot.customer_attributes] "
                f'{name} = ["api"] (sources: {", ".join(ATTRIBUTE_SOURCES)}), or the playbook may wait for '
                "a value that never comes")
    setters = list(declared[name])
    if not setters:
        return (f"customer.attributes.{name}: nothing in this installation sets it ([bot.customer_attributes] "
                f"{name} = []): the playbook waits for a value that never comes")
    if setters == ["api"] and not api_open:
        return (f"customer.attributes.{name}: only PATCH /api/customers/<id> sets it, and [api] tokens is empty: "
                "no business system can call the API")
    return None
