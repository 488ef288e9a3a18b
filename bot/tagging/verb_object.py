"""A verb-object keyword said the ways Chinese says it: split, inverted, with its object's full noun.

An operator writes 洗鞋, 换机油, 清洗空调; customers write 「洗一双鞋」, 「机油该换了」, 「鞋子洗完发黄了」,
「空调想洗一下」, 「洗下空调」. A keyword is read as a verb and its object when it opens with one of
`[language] verbs` (洗, 换, 修…, or a two-character verb there: 清洗, 更换), or when it ends in
a two-character verb there (空调清洗). Then it is also found

- split: the verb, up to two `separable_inserts` (了, 完, 个, 一下, 一双, #件…), the object
  (洗一双鞋, 擦一下玻璃; for a longer verb its one-character head: 洗下空调), after an insert also with a word
  of one or two characters that makes the object a kind of it (换一个女老师, 订12张连座);
- inverted: the object, up to MAX_BETWEEN tokens, then the verb alone, doubled (洗洗) or with a
  complement (`verb_complements`: 完, 好, 坏, 一下…): 机油/该/换/了, 窗帘/送去/洗/了; never with a negator
  between them (衣服/没/洗 reports no washing);
- with its object's full noun: a one-character object (鞋, 衣, 牙) stands for the nouns of
  `[language] object_nouns` that hold it (鞋子, 衣服, 牙齿; 节课 and 堂课 for 课), inverted (鞋子/洗完,
  after a count the segmenter glued on: 两节课/怎么/补) or glued to the verb (洗衣服).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from bot.tagging.negation import is_negator
from bot.tagging.patterns import compile_pattern, longest_first

MAX_BETWEEN = 3  # tokens between a fronted object and its verb: 窗帘/送去/洗, 机油/是不是/该换/了
# A modal or a light verb the segmenter glues to the verb (该换, 想洗, 送洗): still the verb.
GLUED_BEFORE = frozenset("该 想 要 能 得 去 送 再 先 帮 来 拿去 送去 可以 应该 能不能 可不可以".split())
# What the segmenter glues after the verb that still leaves it the verb: a closing particle after its complement
# (押金/退了吧, 鞋子/洗好了吗) and a share of it (押金/能/先/退一半).
GLUED_PARTICLES = "吧吗呢啊呀"
GLUED_SHARES = frozenset(("一半", "一部分", "一点", "一些"))
_NUMBER = "#"
PERSON = "人"  # a person said generically: 换个人 for 换老师
TAUGHT_BY = ("一个", "个")  # the measure in a keyword that shows its verb and object come apart (包个厅)
_NUMBER_REGEX = "(?:[0-9]+|[一二两三四五六七八九十百几]+)"
_COUNT = re.compile(f"^{_NUMBER_REGEX}")
_COUNT_START = frozenset("0123456789一二两三四五六七八九十百几")


class VerbObject(NamedTuple):
    keyword: str
    verb: str  # the one character a customer says for the verb (洗 for 清洗)
    objects: tuple[str, ...]  # the object as written and its full nouns (鞋, 鞋子)


class VerbObjects:
    """The verb-object keywords of a tagger and the ways to find them said apart."""

    def __init__(self, keywords: Iterable[str], words: Mapping[str, tuple[str, ...]]) -> None:
        verbs = frozenset(words["verbs"])
        nouns = words["object_nouns"]
        self._complements = frozenset(words["verb_complements"])
        # A way of asking when that the segmenter glues to the verb (押金/什么时候退): the verb all the same.
        self._when = frozenset(words["when_words"])
        # A verb with an insert (做个, 修一下, 退了) names no object: as a pair its "object" 个 would take the
        # place of the real one in the split pattern (订个大圆桌 read as 订/个, no 订桌).
        bare = frozenset(words["separable_inserts"])
        keywords = list(dict.fromkeys(keywords))
        taught = [pair for keyword in keywords if (pair := _taught(keyword, bare, nouns))]
        found = [pair for keyword in keywords
                 if (pair := _verb_object(keyword, verbs, nouns)) and pair.objects[0] not in bare
                 and keyword not in {t.keyword for t in taught}]
        # Object token -> (verb, keyword) pairs, for the inverted order.
        self._by_object: dict[str, list[tuple[str, str]]] = {}
        # Verb glued to a full noun (洗衣服) -> keywords.
        self.glued: dict[str, tuple[str, ...]] = {}
        for pair in found:
            for noun in pair.objects:
                self._by_object.setdefault(noun, []).append((pair.verb, pair.keyword))
                if noun != pair.objects[0]:
                    self.glued[pair.verb + noun] = (*self.glued.get(pair.verb + noun, ()), pair.keyword)
        # One-character objects, heads of the nouns that name a kind of them (帆布鞋 of 鞋): object first only.
        self._heads_of = frozenset(p.objects[0] for p in found if len(p.objects[0]) == 1)
        self._not_modifiers = (verbs | frozenset(words["light_verbs"]) | frozenset("的了着过不没别")
                               | frozenset(t.verb for t in taught))
        # A person of `staff` as the object (换老师, 换教练) is also said by 人, split or glued to the verb (换人,
        # 换个人), never first: 人 before a verb is anyone (人多吗).
        staff = frozenset(words["staff"])
        people = [p._replace(objects=(PERSON,)) for p in found if p.objects[0] in staff]
        for pair in people:
            self.glued[pair.verb + PERSON] = (*self.glued.get(pair.verb + PERSON, ()), pair.keyword)
        found += people
        # A verb taught by a keyword's own measure is heard split only, never inverted: its object may be as
        # common as 人 (多一个人: 「人多吗」 adds nobody).
        found += taught
        self._split: dict[tuple[str, str], str] = {(p.verb, noun): p.keyword for p in found for noun in p.objects}
        inserts = inserts_pattern(words["separable_inserts"])
        heads = "".join(sorted({re.escape(p.verb) for p in found}))
        objects = "|".join(sorted({re.escape(n) for p in found for n in p.objects}, key=longest_first))
        # After a count or a measure, a word of one or two characters may make the object a kind of it (换一个女老师,
        # 订12张连座); not an aspect or 的 (贴完的膜 is no 贴膜).
        kind = "(?:(?![的了着过])[\u4e00-\u9fff]){1,2}?"
        # Or a phrase closed by 的 that says which one, a time or a size (订这周六的场, 拼一个四人的场); not a result
        # or an aspect right after the verb (贴完的膜, 修好的鞋: what was done to it).
        done = "".join(sorted({re.escape(w[0]) for w in self._complements} | set("的了着过")))
        which = f"(?![{done}])(?:(?![的了着过])[\u4e00-\u9fff0-9]){{1,4}}的"
        self.split_pattern = (compile_pattern(f"([{heads}])((?:{inserts}){{0,2}})({objects})"
                                              f"|([{heads}])((?:{inserts}){{1,2}}){kind}({objects})"
                                              f"|([{heads}])((?:{inserts}){{0,2}}){which}({objects})")
                              if found and inserts else None)
        # A piece may hold such a keyword only if it holds one split or an object before a verb.
        self.pattern = (compile_pattern(f"{self.split_pattern.pattern}|(?:{objects}).{{0,12}}?[{heads}]")
                        if self.split_pattern is not None else None)

    def _compound(self, token: str) -> bool:
        """A noun whose last character is a one-character object, its head (帆布鞋, 白鞋, 季卡): not a verb and
        its object (上课, 做脸, 包场: `verbs`, `light_verbs`, a verb a keyword's measure taught)."""
        return token[0] not in self._not_modifiers and all("\u4e00" <= c <= "\u9fff" for c in token)

    def __bool__(self) -> bool:
        return bool(self._by_object)

    def split(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, keyword) of each keyword said verb first with inserts between (洗一双鞋)."""
        if self.split_pattern is None:
            return []
        found = []
        for match in self.split_pattern.finditer(text):
            verb, obj = next((match.group(g), match.group(g + 2)) for g in (1, 4, 7) if match.group(g))
            keyword = self._split.get((verb, obj))
            if keyword is not None:
                found.append((match.start(), match.end(), keyword))
        return found

    def inverted(self, tokens: Sequence[str]) -> list[tuple[int, int, str]]:
        """(first token, end token, keyword) of each keyword said object first (机油/该/换/了)."""
        joined = "".join(tokens)
        if (self._by_object.keys().isdisjoint(tokens) and _COUNT_START.isdisjoint(joined)
                and self._heads_of.isdisjoint(joined)):
            return []  # no object, not even one after a count: most clauses, without the walk below
        found = []
        for start, token in enumerate(tokens):
            pairs = self._by_object.get(token)
            if not pairs and token[:1] in _COUNT_START:  # 两节课, 几节课: the noun after its count
                pairs = self._by_object.get(_COUNT.sub("", token, count=1))
            if not pairs and 2 <= len(token) <= 3 and token[-1] in self._heads_of and self._compound(token):
                pairs = self._by_object.get(token[-1])  # 帆布鞋, 季卡: a kind of 鞋, of 卡
            if not pairs:
                continue
            for verb, keyword in pairs:
                for at in range(start + 1, min(start + 2 + MAX_BETWEEN, len(tokens))):
                    said = tokens[at]
                    if is_negator(tokens, at, start + 1):
                        break
                    if (said[:1] == verb and (said in (verb, verb * 2) or self._completed(said[1:]))) or (
                            said[-1:] == verb and (said[:-1] in GLUED_BEFORE or said[:-1] in self._when)):
                        found.append((start, at + 1, keyword))
                        break
        return found

    def _completed(self, after: str) -> bool:
        """Whether what follows the verb in its token leaves it the verb: a complement (完, 好, 了…), with a
        closing particle or 了 after it (了吧, 好了吗), or a share (一半)."""
        closed = after.rstrip(GLUED_PARTICLES)
        if closed != after and closed.endswith("了") and len(closed) > 1:
            closed = closed[:-1]
        return closed in self._complements or (closed == after and after in GLUED_SHARES)


def inserts_pattern(inserts: Iterable[str]) -> str:
    """The regex of `separable_inserts`, longest first. A count and a measure (#张, #件) is also said with its
    一 dropped, the measure alone right after the verb: 办张卡, 订间房, 换件衣服 (`#` is a number)."""
    def one(insert: str) -> str:
        written = re.escape(insert).replace(re.escape(_NUMBER), _NUMBER_REGEX)
        if insert.startswith(_NUMBER) and len(insert) == 2 and "\u4e00" <= insert[1] <= "\u9fff":
            written = f"(?:{_NUMBER_REGEX})?{re.escape(insert[1])}"
        return written
    return "|".join(sorted(map(one, inserts), key=len, reverse=True))


def _verb_object(keyword: str, verbs: frozenset[str], nouns: Sequence[str]) -> VerbObject | None:
    """The keyword read as verb and object (洗鞋, 清洗空调, 空调清洗), or None."""
    if not 2 <= len(keyword) <= 5 or not all("\u4e00" <= c <= "\u9fff" for c in keyword):
        return None
    if len(keyword) > 3 and keyword[:2] in verbs:  # 清洗空调: the two-character verb's head
        verb, obj = _head(keyword[:2], verbs), keyword[2:]
    elif len(keyword) > 3 and keyword[-2:] in verbs:  # 空调清洗: the object before the verb
        verb, obj = _head(keyword[-2:], verbs), keyword[:-2]
    elif keyword[0] in verbs:
        verb, obj = keyword[0], keyword[1:]
    else:
        return None
    full = tuple(noun for noun in nouns if len(obj) == 1 and obj in noun and noun != obj)
    return VerbObject(keyword, verb, (obj, *full))


def _taught(keyword: str, inserts: frozenset[str], nouns: Sequence[str]) -> VerbObject | None:
    """A keyword the operator wrote split by a measure (包个厅, 拼个场, 叫个司机): its first character is a verb
    said apart from its object, whether or not `[language] verbs` lists it, and other counts and kinds may
    stand there too (包三个厅, 拼一个四人的场), read as this keyword."""
    for insert in TAUGHT_BY:
        verb, rest = keyword[:1], keyword[1 + len(insert):]
        if (keyword[1:].startswith(insert) and 1 <= len(rest) <= 2 and rest not in inserts
                and all("\u4e00" <= c <= "\u9fff" for c in verb + rest)):
            full = tuple(noun for noun in nouns if len(rest) == 1 and rest in noun and noun != rest)
            return VerbObject(keyword, verb, (rest, *full))
    return None


def _head(verb: str, verbs: frozenset[str]) -> str:
    """The one character a customer says for a two-character verb: 清洗 -> 洗, 更换 -> 换, 维修 -> 修."""
    return verb[1] if verb[1] in verbs else verb[0]
