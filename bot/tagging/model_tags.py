"""Which model tag checks a keyword rule: the model's tag of the same name, else the concept whose value
names include the part after the rule tag's last colon (an operator's 售后:质量 is checked by 售后:问题).

A model trained from a manifest with `[concepts]` records them in its training record
(`training.concepts`: model tag -> value names); a model without them checks tags by name only. Its
`training.add_only` names the model tags whose check only adds: a rule checked by one (by name or by
its value) is never taken back, as the opt-out.
"""

from __future__ import annotations

from bot.tagging.model import TagModel


def value_name(tag: str) -> str:
    """The part of a tag after its last colon: 问题 of 售后:问题 (the whole tag if it has none)."""
    return tag.rsplit(":", 1)[-1]


def concept_values(model: TagModel) -> dict[str, str]:
    """Value name -> the model tag that checks operators' tags of that value."""
    concepts = model.training.get("concepts")
    if not isinstance(concepts, dict):
        return {}
    return {name: tag for tag, names in concepts.items() if isinstance(names, list) and model.index(tag) is not None
            for name in names if isinstance(name, str)}


def added_only(model: TagModel) -> frozenset[str]:
    """The model tags the bot may add but never takes back (`training.add_only`)."""
    tags = model.training.get("add_only")
    return frozenset(tag for tag in tags if isinstance(tag, str)) if isinstance(tags, list) else frozenset()


def model_tag(tag: str, model: TagModel, values: dict[str, str] | None = None) -> str | None:
    """The model tag that checks `tag`: itself if the model knows it, else its value's concept, else None."""
    if model.index(tag) is not None:
        return tag
    return (concept_values(model) if values is None else values).get(value_name(tag))


def judged_by(rule_tag: str, model: str | bool) -> str:
    """What an explanation adds when another model tag than the rule's own checked it:
    「（按模型的「售后:问题」判断）」."""
    return f"（按模型的「{model}」判断）" if isinstance(model, str) and model != rule_tag else ""
