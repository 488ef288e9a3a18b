"""The learned check's fast reading (bot/tagging/model.py): one pass over a message's n-grams for the
tags a rules file checks gives the same numbers as the textbook TF-IDF and logistic regression, on random
models and messages (repeated n-grams, unknown ones, none at all), and decides as the probabilities say."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest

from bot.tagging.model import DEFAULT_VETO_BELOW, ModelCheck, TagModel, Veto, _logistic, _logit_floor, ngrams
from bot.tagging.script import fold

ALPHABET = "预约退款价格好的不要我了吗，Ab 1"


def random_model(seed: int, tags: int = 7) -> TagModel:
    """A model over this small alphabet's 1-3-grams: about half of them known, each with an idf and
    weights for a few of the tags only (most weights are zero, as in a pruned model)."""
    chance = random.Random(seed)
    grams = {fold("".join(chance.choices(ALPHABET, k=length))) for length in (1, 2, 3) for _ in range(150)}
    rows = {}
    for gram in sorted(grams):
        weights = [chance.uniform(-8, 8) if chance.random() < 0.3 else 0.0 for _ in range(tags)]
        rows[gram] = (chance.uniform(1, 8), *weights)
    intercepts = tuple(chance.uniform(-2, 2) for _ in range(tags))
    return TagModel(tuple(f"tag{number}" for number in range(tags)), intercepts, 3, rows, {})


def random_messages(seed: int) -> list[str]:
    chance = random.Random(seed)
    return ["", "？？", "约", "预约预约预约"] + ["".join(chance.choices(ALPHABET, k=chance.randint(1, 30)))
                                          for _ in range(200)]


def textbook(model: TagModel, text: str) -> list[float]:
    """Each tag's probability the plain way: (1 + ln tf) * idf per known n-gram, L2-normalised, dotted with
    the tag's weights, plus its intercept, through the logistic function."""
    counts = Counter(gram for gram in ngrams(text, model.longest) if gram in model.rows)
    values = {gram: (1 + math.log(count)) * model.rows[gram][0] for gram, count in counts.items()}
    norm = math.sqrt(sum(value * value for value in values.values())) or 1.0
    return [1 / (1 + math.exp(-(sum(value * model.rows[gram][1 + tag] for gram, value in values.items()) / norm
                                + model.intercepts[tag]))) for tag in range(len(model.tags))]


@pytest.mark.parametrize("seed", range(5))
def test_one_pass_over_the_ngrams_gives_the_textbook_probabilities(seed: int) -> None:
    model = random_model(seed)
    for text in random_messages(seed):
        chances = model.chances(text, range(len(model.tags)))
        assert max(abs(chances[tag] - want) for tag, want in enumerate(textbook(model, text))) < 1e-12, text


@pytest.mark.parametrize("seed", range(5))
def test_a_rules_file_reading_some_tags_decides_as_each_tags_own_probability_says(seed: int) -> None:
    """Veto reads only the columns of the tags its rules are checked as (here every other tag, one of
    them by two rules); its decisions are those of the full model's probabilities, to the last bit."""
    model = random_model(seed)
    decided = Counter()
    rule_tags = ["tag1", "tag3", "tag5", "tag3", "tag0"]
    models: list[str | bool] = [True, True, True, True, False]  # the last rule is never checked
    for add_above in (0.9, 0.6, 1.0):
        veto = Veto(ModelCheck(model, DEFAULT_VETO_BELOW, "<random>", add_above), models, rule_tags)
        for number, text in enumerate(random_messages(seed + 10)):
            fired = {rule for rule in range(len(rule_tags)) if (rule + number) % 3 == 0}
            chances = model.chances(text, range(len(model.tags)))
            want = {rule: chances[model.tags.index(tag)] for rule, tag in enumerate(rule_tags[:4])}
            dropped, added = veto.decide(fold(text), fired)
            assert dropped == {rule: chance for rule, chance in want.items()
                               if rule in fired and chance < DEFAULT_VETO_BELOW}
            assert added == {rule: chance for rule, chance in want.items()
                             if rule not in fired and add_above < 1 and chance > add_above}
            decided.update(dropped=len(dropped), added=len(added))
    assert decided["dropped"] > 10 and decided["added"] > 10  # both ways were tried


def test_a_logit_below_the_floor_never_has_a_chance_above_the_threshold() -> None:
    for chance in (0.5, 0.6, 0.9, 0.99, 0.999999, 1 - 2e-8):
        floor = _logit_floor(chance)
        assert _logistic(floor) < chance and _logistic(math.nextafter(floor, -math.inf)) < chance
        assert floor < math.log(chance / (1 - chance))
    assert _logit_floor(1 - 1e-9) == -math.inf  # too close to 1 to rule anything out


def test_a_rules_file_whose_tags_the_model_does_not_know_never_reads_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no rule checked there is nothing to decide: not even the message's n-grams are read (an
    operator's trade whose tags the shipped model does not know pays nothing for it)."""
    from bot.tagging import model as module

    veto = Veto(ModelCheck(random_model(0), DEFAULT_VETO_BELOW, "<random>", 0.9), [True, True], ["售后:问题", "tag9"])
    monkeypatch.setattr(module, "_sums", lambda *args: pytest.fail("the message was read"))
    assert veto.decide(fold("预约退款"), {0}) == ({}, {}) and veto.decide("", set()) == ({}, {})
