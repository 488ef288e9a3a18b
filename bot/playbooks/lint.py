"""The checker's second pass: names, links, shares, durations, goals and overlaps.

The schema proves a playbook can be scheduled and rendered; this pass catches what would
validate and then fail quietly for ever: `{{ customer.nmae }}` (prints nothing), `{{ link }}`
on a step without `link` (prints nothing), `customer.last_active_dayz` in an exit condition
(never true), a goal on an event nothing sends (never converts). Each finding names the key path;
the loader adds the file and line. Errors stop an import; warnings are printed by `check`.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes

from bot.playbooks.schema import Playbook, Step
from bot.playbooks.templates import CONTEXT_NAMES, CustomerContext, EventContext, GuideContext, environment
from bot.playbooks.timing import ambiguous_minutes

logger = logging.getLogger(__name__)

# The behaviour metrics a template or condition may read as customer.<name> (the tag rules' names).
METRIC_NAMES = ("last_active_days", "messages_7d", "messages_30d", "purchases_30d", "purchases_90d",
                "purchases_365d", "spend_30d", "spend_90d", "spend_365d", "days_since_first_seen",
                "last_purchase_days")
CUSTOMER_NAMES = tuple(item.name for item in dataclasses.fields(CustomerContext) if item.name != "metrics") \
    + METRIC_NAMES
GUIDE_NAMES = tuple(item.name for item in dataclasses.fields(GuideContext))
EVENT_NAMES = tuple(item.name for item in dataclasses.fields(EventContext))
# Events Siyu records itself; business events come through POST /api/events.
SYSTEM_EVENTS = ("message_received", "link_clicked", "nps_answered", "tag_added", "tag_removed", "stage_changed",
                 "contact_added", "contact_edited", "contact_removed", "guide_deleted", "subscribed",
                 "unsubscribed", "menu_click", "qr_scanned", "opted_in", "opted_out", "feedback_clicked")
_DURATION_KEYS = ("after", "before", "within")


@dataclass(frozen=True)
class Finding:
    """One problem of a playbook, at a key path such as ("steps", 1, "text")."""

    path: tuple[str | int, ...]
    message: str
    severity: str = "error"  # or "warning"


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """' (did you mean x?)' when a choice is close to `name`, else ''."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def sources(playbook: Playbook) -> Iterator[tuple[tuple[str | int, ...], str, bool, Step | None]]:
    """Every template and condition: (key path, source, is_condition, its step)."""
    if playbook.trigger.schedule and playbook.trigger.schedule.audience:
        yield ("trigger", "schedule", "audience"), playbook.trigger.schedule.audience, True, None
    if playbook.audience.when:
        yield ("audience", "when"), playbook.audience.when, True, None
    if playbook.exit.when:
        yield ("exit", "when"), playbook.exit.when, True, None
    for index, step in enumerate(playbook.steps):
        if step.text is not None:
            yield ("steps", index, "text"), step.text, False, step
        for arm_index, arm in enumerate(step.variants):
            yield ("steps", index, "variants", arm_index, "text"), arm.text, False, step
        for key, source in (step.template_data or {}).items():
            yield ("steps", index, "template_data", key), source, False, step


def _chain(node: nodes.Node) -> list[str] | None:
    """customer.guide.name → ["customer", "guide", "name"]; None when not rooted at a name."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            parts.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name):
            return [node.name, *reversed(parts)]
        else:
            return None


def _name_problem(chain: Sequence[str], attributes: Sequence[str]) -> str | None:
    root = chain[0]
    if len(chain) < 2:
        return None
    first = chain[1]
    if root == "customer":
        if first not in CUSTOMER_NAMES:
            return f"customer.{first} is not a customer field{did_you_mean(first, CUSTOMER_NAMES)}; " \
                   f"fields: {', '.join(CUSTOMER_NAMES)}; other data is under customer.attributes.<name>"
        if first == "guide" and len(chain) > 2 and chain[2] not in GUIDE_NAMES:
            return f"customer.guide.{chain[2]} is not a guide field{did_you_mean(chain[2], GUIDE_NAMES)}; " \
                   f"fields: {', '.join(GUIDE_NAMES)}"
        if first == "attributes" and len(chain) > 2 and attributes and chain[2] not in attributes:
            return f"customer.attributes.{chain[2]} is not a declared attribute{did_you_mean(chain[2], attributes)}; " \
                   "declared in [bot] customer_attributes"
    elif root == "event" and first not in EVENT_NAMES:
        return f"event.{first} is not an event field{did_you_mean(first, EVENT_NAMES)}; " \
               f"fields: {', '.join(EVENT_NAMES)}; what the event carries is under event.data.<name>"
    elif root in ("step", "playbook"):
        fields = Step.model_fields if root == "step" else Playbook.model_fields
        if first not in fields:
            return f"{root}.{first} is not a {root} field{did_you_mean(first, fields)}"
    return None


def _parse(source: str, is_condition: bool) -> nodes.Template:
    return environment().parse("{{ (" + source + ") }}" if is_condition else source)


def lint_playbook(playbook: Playbook, data: Mapping[str, Any] | None = None,
                  attributes: Sequence[str] = ()) -> list[Finding]:
    """Findings about one playbook; `data` is its raw TOML (for the duration texts), `attributes`
    the declared customer attributes (empty: not checked)."""
    findings: list[Finding] = []
    for path, source, is_condition, step in sources(playbook):
        tree = _parse(source, is_condition)
        assigned = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
        seen: set[str] = set()
        for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
            chain = _chain(node)
            if not chain or chain[0] not in CONTEXT_NAMES or chain[0] in assigned or ".".join(chain) in seen:
                continue
            seen.add(".".join(chain))
            problem = _name_problem(chain, attributes)
            if problem and not any(problem == f.message and f.path == path for f in findings):
                findings.append(Finding(path, problem))
        uses_link = any(node.name == "link" and node.ctx == "load" for node in tree.find_all(nodes.Name))
        if uses_link and step is not None and not step.link and "link" not in assigned:
            findings.append(Finding(path, '{{ link }} needs link = "https://…" on this step; without it the '
                                          "customer would see nothing where the link should be"))
        if uses_link and step is None:
            findings.append(Finding(path, "link is only available in step texts"))
    for index, step in enumerate(playbook.steps):
        findings.extend(_share_findings(index, step))
    findings.extend(_duration_findings(data or {}))
    return findings


def _share_findings(index: int, step: Step) -> list[Finding]:
    if not step.variants:
        return []
    weights = sum(variant.weight for variant in step.variants)
    if weights in (100, 100 - step.holdout):
        return []
    split = ", ".join(f"{name} {share:.1f}%" for name, share in step.split())
    return [Finding(("steps", index, "variants"), f"variant weights add up to {weights}, not 100"
                    + (f" or {100 - step.holdout}" if step.holdout else "")
                    + f"; they are shares of who is not held out, so the split is {split}", "warning")]


def _duration_findings(data: Mapping[str, Any]) -> list[Finding]:
    findings = []

    def walk(node: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                if key in _DURATION_KEYS and ambiguous_minutes(value):
                    findings.append(Finding((*path, key), f'"{value}" is read as minutes; write "{value[:-1]}min" '
                                                          "to say so (months are not a unit: use days)", "warning"))
                walk(value, (*path, key))
        elif isinstance(node, list):
            for position, value in enumerate(node):
                walk(value, (*path, position))

    walk(data, ())
    return findings


# --- across playbooks -----------------------------------------------------------------------

def lint_together(playbooks: Mapping[str, Playbook], business_events: Sequence[str] = ()) -> dict[str, list[Finding]]:
    """Findings that need every playbook: goals nothing sends, playbooks that overlap. By file."""
    findings: dict[str, list[Finding]] = {}
    sent = set(SYSTEM_EVENTS) | set(business_events) | {
        playbook.trigger.event for playbook in playbooks.values() if playbook.trigger.event}
    for where, playbook in playbooks.items():
        goal = playbook.exit.goal
        for name in goal.names if goal else ():
            if name not in sent:
                findings.setdefault(where, []).append(Finding(
                    ("exit", "goal"), f"goal event {name!r} is not one Siyu records nor one declared in "
                    f"[bot] business_events{did_you_mean(name, sorted(sent))}: unless a business system posts it "
                    "to /api/events, nobody ever converts", "warning"))
    enabled = [(where, playbook) for where, playbook in playbooks.items() if playbook.enabled]
    for position, (where, playbook) in enumerate(enabled):
        for other_where, other in enabled[position + 1:]:
            if _same_trigger(playbook, other) and not (playbook.audience.when and other.audience.when):
                findings.setdefault(other_where, []).append(Finding(
                    ("trigger",), f"the same trigger as {playbook.id} ({where}) and no audience.when on one of them "
                    "to keep them apart: the same customers would get both playbooks' messages", "warning"))
    return findings


def _same_trigger(first: Playbook, second: Playbook) -> bool:
    one, two = first.trigger, second.trigger
    if one.kind != two.kind or one.kind == "schedule":
        return False
    if one.kind == "stage_changed" and one.from_stage != two.from_stage and one.from_stage and two.from_stage:
        return False
    if one.kind == "contact_added" and one.state != two.state:
        return False
    if one.kind == "feedback" and one.playbook != two.playbook and one.playbook and two.playbook:
        return False
    return bool(one.value == two.value)
