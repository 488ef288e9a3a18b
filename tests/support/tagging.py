"""What the tagging tests ask of a tagger."""

from __future__ import annotations

from pathlib import Path

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import RuleSet, parse_rules

SHIPPED = Path(__file__).resolve().parents[2] / "rules" / "tags.toml"


def rules_only(text: str | None = None) -> RuleSet:
    """The shipped rules (or `text`, read beside them) with the learned check off (`[model] enabled = false`):
    for tests of a rule mechanism on a hand-written sentence the model judges otherwise."""
    text = SHIPPED.read_text(encoding="utf-8") if text is None else text
    assert "\n[model]\n" in text
    return parse_rules(text.replace("\n[model]\n", "\n[model]\nenabled = false\n"), source=str(SHIPPED))


def taggers(**rules: str) -> dict[str, KeywordTagger]:
    """A tagger for each trade's rules text, by the trade's name (one fixture serves a test file of several trades)."""
    return {trade: KeywordTagger(parse_rules(text)) for trade, text in rules.items()}


def tags(tagger: KeywordTagger, text: str) -> set[str]:
    """The tag names a message gets."""
    return {match.tag for match in tagger.tag(text)}
