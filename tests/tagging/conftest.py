"""The shipped rules' tagger, built once for the tagging tests that read it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.tagging import rules
from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import load_rules
from tests.support.tagging import SHIPPED, rules_only


SHIPPED_MODEL = rules.SHIPPED_MODEL


@pytest.fixture(scope="package", autouse=True)
def operator_rules_alone() -> Iterator[None]:
    """A rules file with no `[model]` gets the shipped model (docs/tagging.md). The tests here of a rule
    mechanism on an operator's rules read those rules alone, as they were written to (package scope: the
    module-scoped taggers too); what the shipped model does to an operator's file is tested where a test
    asks for it (`@pytest.mark.shipped_model`) and measured by bench/tagging.py on the trades' sets. The
    shipped rules name their model and keep it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rules, "SHIPPED_MODEL", SHIPPED.parent / "no-such-model.json")
        yield


@pytest.fixture(autouse=True)
def shipped_model_where_asked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("shipped_model") is not None:
        monkeypatch.setattr(rules, "SHIPPED_MODEL", SHIPPED_MODEL)


@pytest.fixture(scope="session")
def tagger() -> KeywordTagger:
    return KeywordTagger(load_rules(SHIPPED))


@pytest.fixture(scope="session")
def unchecked() -> KeywordTagger:
    """The shipped rules without the learned check: for a rule mechanism's test whose hand-written
    sentence the model judges wrongly (each use is one of the model's own errors, counted in the report)."""
    return KeywordTagger(rules_only())


@pytest.fixture(scope="session")
def plain() -> KeywordTagger:
    """The shipped rules alone (the learned check off): for tests of what a rule mechanism itself reads."""
    return KeywordTagger(rules_only())
