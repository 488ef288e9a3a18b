"""The shipped rules' tagger, built once for the tagging tests that read it."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import load_rules
from tests.support.tagging import SHIPPED, rules_only


@pytest.fixture(scope="session")
def tagger() -> KeywordTagger:
    return KeywordTagger(load_rules(SHIPPED))


@pytest.fixture(scope="session")
def unchecked() -> KeywordTagger:
    """The shipped rules without the learned check: for a rule mechanism's test whose hand-written
    sentence the model judges wrongly (each use is one of the model's own errors, counted in the report)."""
    return KeywordTagger(rules_only())
