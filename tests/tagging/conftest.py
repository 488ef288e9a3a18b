"""The shipped rules' tagger, built once for the tagging tests that read it."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import load_rules
from tests.support.tagging import SHIPPED


@pytest.fixture(scope="session")
def tagger() -> KeywordTagger:
    return KeywordTagger(load_rules(SHIPPED))
