"""Why a sentence gets the tags it gets (the console's 试一试, `siyu tag`): the tagger's own result,
and for every keyword found, whether it counted and what decided it (negation, mood, an exclude
word, an A-not-A question, a longer keyword around it, a tag it yields to, a later state, the learned
check of `[model]`).

The verdicts are read from the same steps `KeywordTagger.tag` takes, with the same functions; the
tags themselves are always `tag`'s, so an explanation can never claim a tag the bot would not give.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.tagging.keywords import KeywordTagger
from bot.tagging.matcher import PIECES, drop_contained
from bot.tagging.matches import TagMatch
from bot.tagging.model import added_reason, vetoed_reason
from bot.tagging.model_tags import judged_by
from bot.tagging.moods import read_moods
from bot.tagging.negation import asks_a_not_a, negations

MOOD_LABELS = {
    "statement": "陈述", "question": "提问", "rhetorical": "反问", "hypothetical": "假设", "worry": "担心",
    "expectation": "期待", "deferred": "推迟", "passed": "已过去", "praised": "称赞", "hearsay": "转述",
    "done": "已办过", "rescheduled": "改期", "changed": "换成别的", "mild": "一般", "settled": "已办妥不必再",
    "payment": "付款手续",
    "remedy": "问能否治疗", "self_judged": "说的是自己", "available": "以店里有空为条件",
    "running_late": "已有安排的迟到早到", "premise": "以要办的事为前提提问", "topic": "后面问的是这件事",
    "relayed": "转达别人的问题或打算", "set_aside": "先放一边不谈", "accepted": "接受了", "informed": "已经了解过",
    "one_thing": "不要的是一样东西，不是消息", "other_channel": "换个方式联系", "corrected": "发错了",
    "misdirected": "消息发错了地方", "accused": "被别人投诉", "compared": "说的是别家",
    "someone_else": "别人的退订", "taken_back": "以前的退订，现在反悔或在问",
    "for_now": "只是这段时间", "muted": "客户自己设了免打扰", "remembered": "客户自己记得",
    "fewer": "只是别发那么多", "rebutted": "反问后否认", "teasing": "开玩笑的抱怨", "doubted": "转述后又怀疑",
    "overheard": "只是转述，没有要求", "recounted": "说的是办过的事，没有要求",
}


@dataclass(frozen=True)
class Decision:
    tag: str
    rule: str
    keyword: str
    clause: str
    counted: bool
    why: str
    by_model: bool = False  # `keyword` is the learned check's evidence (n-grams), not a keyword it hit


@dataclass(frozen=True)
class Clause:
    text: str
    tokens: tuple[str, ...]
    moods: tuple[str, ...]


@dataclass(frozen=True)
class Explanation:
    text: str
    read_as: str  # what the tagger reads: folded, simplified, typos repaired
    tags: list[TagMatch]
    clauses: list[Clause]
    decisions: list[Decision]


def explain(tagger: KeywordTagger, text: str) -> Explanation:
    tags, dropped, added = tagger.tag_checked(text)
    check = tagger.rules.model
    veto_below, add_above = (check.veto_below, check.add_above) if check is not None else (0.0, 1.0)
    # a rule checked by another model tag than its own (a concept, or its `model = "<tag>"`) says which
    by = {rule.rule_id: judged_by(rule.tag, rule.model) for rule in tagger.rules.keyword_rules}
    model_added = {match.rule: f"{added_reason(chance, add_above, match.matched)}{by.get(match.rule, '')}"
                                "（学习模型复核）" for match, chance in added}
    given = {match.rule for match in tags if match.rule not in model_added}
    taken_back = {match.rule: f"命中了，但{vetoed_reason(chance, veto_below)}{by.get(match.rule, '')}（学习模型复核）"
                  for match, chance in dropped}
    folded = tagger.prepare(text)
    pieces = list(PIECES.finditer(folded))
    found = tagger._find_in_pieces(pieces, [True] * len(pieces))
    clauses, hits = tagger._read(text, folded, pieces, found, True)
    read_moods(tagger._language, clauses, premises=tagger._premises)
    if tagger._reads_referring:
        tagger._read_referring(clauses)
    if tagger._reads_topics:
        tagger._read_topics(clauses, hits)
    rules = tagger._rules
    decisions: list[Decision] = []
    arranged = tagger.arranged(folded, hits)
    for ordinal, clause in enumerate(clauses):
        counted = tagger._clause_hits(clause, clauses, ordinal, hits[ordinal], arranged)
        tokens = clause.tokens
        asked = [h for h in hits[ordinal] if asks_a_not_a(tokens, h.start)]
        rest = [h for h in hits[ordinal] if h not in asked]
        longest = drop_contained(rest)
        vetoed = {h.rule: h.keyword for h in longest if h.exclude}
        keyword_hits = [h for h in longest if not h.exclude and h.rule not in vetoed]
        rhetorical = "rhetorical" in clause.moods
        negated = dict(zip(keyword_hits, [False] * len(keyword_hits) if rhetorical else
                           negations(keyword_hits, tokens), strict=True))
        for hit in hits[ordinal]:
            rule = rules[hit.rule]
            if hit.exclude:
                why, ok = f"排除词「{hit.keyword}」出现在这个分句里，这条规则在此不计", False
            elif hit in asked:
                why, ok = "正反问（如「要不要」「能不能」）是在提问，不是否定，也不算说了这个词", False
            elif hit not in longest:
                why, ok = "落在另一个更长的关键词里面，按更长的那个算", False
            elif hit.rule in vetoed:
                why, ok = f"同一分句有这条规则的排除词「{vetoed[hit.rule]}」", False
            elif hit in counted:
                ok = True
                mood = "、".join(MOOD_LABELS.get(m, m) for m in sorted(clause.moods)) or "陈述"
                why = (f"命中：前后有否定词，但这条规则不可否定（否定说法本身就是关键词）；语气「{mood}」"
                       if negated.get(hit) and not rule.negatable else f"命中：没有否定，语气「{mood}」符合这条规则")
                if rule.rule_id in taken_back:
                    ok, why = False, taken_back[rule.rule_id]
                elif rule.rule_id not in given:
                    ok, why = False, "命中了，但同一分组（如「状态」）只保留消息里最后说的那个"
            elif negated.get(hit) and rule.negatable:
                why, ok = "前后有否定词（如「不」「没有」「不用」），这条规则可被否定，所以不计", False
            elif not tagger._in_mood(hit, clause, clauses, ordinal):
                why, ok = _mood_reason(rule.mood, rule.not_mood, tagger.hit_moods(hit, clause, clauses, ordinal)), False
            else:
                why, ok = "同一分句里有它让位的标签（yield_to）", False
            decisions.append(Decision(rule.tag, rule.rule_id, hit.keyword, clause.text, ok, why))
    for match in tags:
        if match.rule in model_added:
            decisions.append(Decision(match.tag, match.rule, "、".join(match.matched), match.clause, True,
                                      model_added[match.rule], by_model=True))
        elif not any(d.rule == match.rule and d.counted for d in decisions):
            decisions.append(Decision(match.tag, match.rule, "、".join(match.matched), match.clause, True,
                                      "线索词（cues）的权重之和达到了阈值"))
    for match, _ in dropped:
        if not any(d.rule == match.rule for d in decisions):
            decisions.append(Decision(match.tag, match.rule, "、".join(match.matched), match.clause, False,
                                      taken_back[match.rule]))
    return Explanation(text, folded, tags,
                       [Clause(c.text, tuple(c.tokens), tuple(sorted(MOOD_LABELS.get(m, m) for m in c.moods)))
                        for c in clauses], decisions)


def _mood_reason(mood: frozenset[str], not_mood: frozenset[str], moods: set[str]) -> str:
    said = "、".join(MOOD_LABELS.get(m, m) for m in sorted(moods)) or "陈述"
    if mood:
        wanted = "、".join(MOOD_LABELS.get(m, m) for m in sorted(mood))
        return f"语气不符：这条规则只在「{wanted}」时算，这个分句是「{said}」"
    refused = "、".join(MOOD_LABELS.get(m, m) for m in sorted(not_mood & moods)) or "、".join(sorted(not_mood))
    return f"语气不符：这个分句是「{refused}」，这条规则在这种语气下不算（如只是问问、假设或推迟）"
