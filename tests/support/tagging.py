"""What the tagging tests ask of a tagger."""

from __future__ import annotations

from pathlib import Path

from bot.tagging.keywords import KeywordTagger

SHIPPED = Path(__file__).resolve().parents[2] / "rules" / "tags.toml"


def tags(tagger: KeywordTagger, text: str) -> set[str]:
    """The tag names a message gets."""
    return {match.tag for match in tagger.tag(text)}
