"""Load and validate the tag rule pack (`[bot] tag_rules`, rules/tags.toml).

The file holds keyword rules (what a customer says) and behaviour rules (what a customer does,
as a Jinja2 expression over metrics). Loading either yields a complete `RuleSet` or raises one
`RulesError` listing every problem, so an operator fixes the file in one pass.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import logging
import re
import tomllib
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.tagging.amounts import FEE
from bot.tagging.concepts import (ASKED_CONCEPTS, DEFAULT_CUES, DEFECT_GROUPS, FAMILIES, FAMILY_NOT_MOOD, FAMILY_REACH,
                                  GROUP_ALWAYS_NOT_MOOD, GROUP_EXCLUDE, GROUP_EXCLUDE_KEPT_BY, GROUP_NOT_MOOD,
                                  NEGATABLE_NOT_MOOD, READ_AS_CUT, TIMED_CONCEPTS, TOPIC_VERB_REACH, abbreviations,
                                  asked_both_ways, asked_when, expansion, group_counts, groups_holding, groups_of,
                                  head_nouns, head_verbs, merged, motions_swapped, predicates_apart, topic_verbs,
                                  with_counts, with_measures)
from bot.tagging.defects import DEFECT_NOT_MOOD
from bot.tagging.language import Language, LanguageError
from bot.tagging.model import (DEFAULT_ADD_ABOVE, DEFAULT_DECISIVE, DEFAULT_VETO_BELOW, ModelCheck, ModelError,
                               TagModel, load_model)
from bot.tagging.model_tags import added_only, concept_values, model_tag
from bot.tagging.ownership import CHANGED, MOVED, MOVED_MOOD, lost_groups, names_moves, taken_elsewhere
from bot.tagging.words import DEFAULT_NOT_MOOD, MOODS

logger = logging.getLogger(__name__)

METRIC_NAMES: frozenset[str] = frozenset(
    {
        "last_active_days",
        "messages_7d",
        "messages_30d",
        "purchases_30d",
        "purchases_90d",
        "purchases_365d",
        "spend_30d",
        "spend_90d",
        "spend_365d",
        "days_since_first_seen",
        "stage",
        "value_tier",
    }
)

# A keyword may hold `*` (a short gap of other words, same clause) and `{name}` (any word of
# the [vocab] list `name`). Vocab references are expanded here; gaps are the tagger's business.
GAP = "*"
OPT_OUT_TAG = "状态:退订"  # the required rule: a customer who asks to hear no more
# What the opt-out rule refuses besides its own `not_mood` (unless its `mood` names it), whoever wrote it: readings
# of a refusal that ask for no opt-out (bot/tagging/opt_out.py; their `[language]` lists turn them off).
OPT_OUT_NOT_MOOD = ("one_thing", "other_channel", "corrected", "someone_else", "taken_back", "for_now", "muted",
                    "fewer", "remembered")
OPT_OUT_GROUP = "退订"  # the concept group every opt-out rule hears (unless `expand` leaves it out)
# The learned check a rules file gets when its [model] names no file: the shipped rules' model, in the
# checkout the package runs from (`make install` installs it editable).
SHIPPED_MODEL = Path(__file__).resolve().parents[2] / "rules" / "tags.model.json"
_VOCAB_REF = re.compile(r"\{([^{}]+)\}")
_TOP_LEVEL_KEYS = ("keyword", "behaviour", "vocab", "dictionary", "exclusive_groups", "language", "aliases", "concepts",
                   "model")


def parse_lifetime(text: str) -> timedelta:
    """A tag's lifetime, written as playbook durations are ("30d", "2w", "12h"); at least an hour."""
    from bot.playbooks.timing import parse_duration  # imported when used: it pulls in the playbooks package

    lifetime = parse_duration(text)
    if lifetime < timedelta(hours=1):
        raise ValueError(f"a tag lifetime is at least an hour, got {text!r}")
    return lifetime


class RulesError(Exception):
    """The rule pack cannot be used; `errors` lists every problem found, one line each."""

    def __init__(self, source: str, errors: list[str]) -> None:
        self.source = source
        self.errors = errors
        super().__init__("\n".join(errors))


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _check_word(word: str) -> str:
    if not word:
        raise ValueError("empty word")
    if word.startswith(GAP) or word.endswith(GAP) or GAP * 2 in word:
        raise ValueError(f"{word!r}: '*' must sit between two words")
    return word


Word = Annotated[str, AfterValidator(_check_word)]


def _check_mood(mood: str) -> str:
    if mood not in MOODS:
        raise ValueError(f"{mood!r} is not a mood (known: {', '.join(MOODS)})")
    return mood


Mood = Annotated[str, AfterValidator(_check_mood)]


class KeywordSpec(_Spec):
    tag: str = Field(min_length=1)
    group: str | None = None
    keywords: list[Word] = Field(min_length=1)
    synonyms: list[Word] = []
    negatable: bool = True
    exclude: list[Word] = []
    yield_to: list[str] = []
    mood: list[Mood] = []  # the clause must have one of these moods
    not_mood: list[Mood] | None = None  # ... and none of these (default: DEFAULT_NOT_MOOD if negatable)
    pinyin: bool = True  # homophone typos of the keywords match too (预月 for 预约)
    intent: bool = False  # fires only where its clause asks or wishes (INTENT_MOODS): a mention is no enquiry
    asked: list[Word] = []  # keywords that count only where the clause asks or wishes (班, 老师)
    timed: list[Word] = []  # keywords that count only in a sentence naming a time to come (周六下午过来做)
    arrangement: list[Word] = []  # words naming what this rule's arrangement is (课, 孩子): see `contextual`
    contextual: list[Word] = []  # keywords that count only in a message naming the arrangement (来不了)
    cede: dict[str, list[Word]] = {}  # tag -> keywords of this rule that stand down in a clause with that tag
    expand: bool | list[str] = True  # concept groups a keyword belongs to add their words (or only these groups)
    heads: bool | list[Word] = True  # a keyword's verb said alone (按完 for 按摩); a list adds verbs, false: none
    cues: dict[str, float] = {}  # words (or "mood:<mood>") whose weights add up over a message
    cue_threshold: float = Field(default=2.0, gt=0)
    lifetime: str | None = None  # "30d": the tag falls off that long after it was (last) given
    description: str = ""
    # checked by the [model]: true its own tag's, "<tag>" that tag's, false never; unset: its own tag's
    # if it is negatable (a topic such as 项目:热玛吉 is named, not judged, so the model leaves it be) or
    # the opt-out (which the model may add but never takes back: `Veto`)
    model: bool | str | None = None

    @field_validator("lifetime")
    @classmethod
    def _lifetime_is_a_duration(cls, lifetime: str | None) -> str | None:
        if lifetime is not None:
            parse_lifetime(lifetime)
        return lifetime

    @field_validator("cues", mode="before")
    @classmethod
    def _cues_are_a_table(cls, cues: object) -> object:
        if isinstance(cues, list):  # the likeliest slip: cues = ["没人理", ...] like keywords
            raise ValueError(f"cues is a table of word = weight after the rule's other keys ([keyword.cues] then "
                             f"\"{cues[0] if cues else '没人理'}\" = 2, one line a word; the weights add up to "
                             "cue_threshold, 2 by default), not a list")
        return cues

    @field_validator("cues")
    @classmethod
    def _cues_are_words(cls, cues: dict[str, float]) -> dict[str, float]:
        for word in cues:
            if word.startswith("mood:"):
                _check_mood(word[5:])
            elif not word.strip(GAP + " ") or word.startswith(GAP) or word.endswith(GAP):
                raise ValueError(f"{word!r}: a cue is a word, with '*' only between characters (一点*都没)")
        return cues

    @field_validator("tag")
    @classmethod
    def _tag_has_group(cls, tag: str) -> str:
        if ":" in tag and not all(tag.split(":", 1)):
            raise ValueError(f"{tag!r}: both sides of ':' must be non-empty")
        return tag


class BehaviourSpec(_Spec):
    tag: str = Field(min_length=1)
    group: str | None = None
    when: str = Field(min_length=1)
    description: str = ""


class ModelSpec(_Spec):
    enabled: bool = True  # false: no learned check at all
    file: str = Field(default="", min_length=0)  # relative to the rules file
    veto_below: float = Field(default=DEFAULT_VETO_BELOW, ge=0, lt=1)
    add_above: float = Field(default=DEFAULT_ADD_ABOVE, gt=0.5, le=1)  # 1: never add
    decisive: list[Mood] = list(DEFAULT_DECISIVE)  # a rule refused in one of these moods is not added


class DictionarySpec(_Spec):
    # Words the segmenter must keep whole, so no keyword matches inside them (水光肌, 约会...).
    words: list[Word] = []
    defaults: bool = True  # also DEFAULT_DICTIONARY (大约, 贵姓, 心疼...)


# Words no operator wants a keyword found in, kept whole for every rule file unless it says
# `[dictionary] defaults = false`: 大约 is not 约, 贵店 not 贵, 心疼 not 疼, 不适合 not 不适, and an
# A-not-A question stays one word (要不要再发 is no opt-out).
DEFAULT_DICTIONARY = (
    "约会", "节约", "约束", "签约", "合约", "约定", "大约", "约莫", "贵姓", "贵店", "贵公司", "贵司", "贵州", "宝贵",
    "珍贵", "心疼", "头疼", "心痛", "痛快", "干净", "干什么", "干嘛", "退休", "退出群", "价值观", "肿瘤", "订单",
    "不适合", "不适用", "不适应", "占便宜", "要不要", "能不能", "可不可以", "是不是", "会不会", "用不用", "想不想",
    "需不需要", "有没有", "贵气", "富贵", "贵宾", "肿么", "无理由", "无条件")


@dataclass(frozen=True)
class KeywordRule:
    tag: str
    group: str
    keywords: tuple[str, ...]  # keywords then synonyms, vocab expanded, file order, no repeats
    negatable: bool
    exclude: tuple[str, ...]
    yield_to: tuple[str, ...] = ()  # tags that, found in the same clause, take this one's place
    description: str = ""
    mood: frozenset[str] = frozenset()
    not_mood: frozenset[str] = frozenset()
    pinyin: bool = True
    cues: tuple[tuple[str, float], ...] = ()
    cue_threshold: float = 2.0
    lifetime: timedelta | None = None
    intent: bool = False
    asked: frozenset[str] = frozenset()  # keywords (also in `keywords`) that need an asking clause
    timed: frozenset[str] = frozenset()  # keywords (also in `keywords`) that need a time to come
    # Words naming this rule's arrangement (课, 数学课): in a sentence that moves something, the rule
    # takes the move only when one of them is there, and a rule without them only when no rule's are;
    # its `contextual` keywords (来不了, 不过去了) count only in a message that names one.
    arrangement: frozenset[str] = frozenset()
    contextual: frozenset[str] = frozenset()
    # Keywords that only set the scene of another tag's question: in a clause where that tag is given
    # they stand down (报名 in 「现在报名有早鸟价吗」 asks a price, not about a course): (tag, keywords).
    cede: tuple[tuple[str, frozenset[str]], ...] = ()
    # Keywords a concept group added (word, the rule's own keyword it stands for): 什么价 for 价格.
    via: tuple[tuple[str, str], ...] = ()
    # A topic's verb said alone (洗 for 洗车): it stands down in a clause naming another topic
    # (「油烟机要洗一下」 washes an appliance, not clothes).
    verbs: frozenset[str] = frozenset()
    # A topic's four-character keyword shortened (坡起 for 坡道起步): matched where the segmenter cut
    # its two characters alone, never added to its dictionary.
    abbreviations: frozenset[str] = frozenset()
    # A keyword's verb said alone (按 of 按摩, 灸 of 艾灸, 续 of 续卡): it counts with an aspect after it
    # (按完, 灸过, 按得, 按的时候; topics only) or closing its clause (还是那个师傅按, 年卡怎么续); with its
    # one-character aspects (按完, 接完: the segmenter's word) it counts anywhere. Never boosted.
    heads: frozenset[str] = frozenset()
    model: str | bool = True  # `model`: the tag whose learned check applies (True: its own), False: none
    # checked by a model tag of the model's `add_only` (bot.tagging.model_tags): added, never taken back
    model_adds_only: bool = False

    @property
    def rule_id(self) -> str:
        return f"keyword:{self.tag}"


@dataclass(frozen=True)
class BehaviourRule:
    tag: str
    group: str
    when: str
    description: str
    _expression: Callable[..., Any] = field(repr=False, compare=False)

    @property
    def rule_id(self) -> str:
        return f"behaviour:{self.tag}"

    def matches(self, metrics: Mapping[str, object]) -> bool:
        """True when `when` holds; a missing metric or a type clash (None > 3) means no match."""
        try:
            return bool(self._expression(**{k: v for k, v in metrics.items() if k in METRIC_NAMES}))
        except (UndefinedError, TypeError, SecurityError) as exc:
            logger.debug("behaviour rule %s does not apply: %s", self.tag, exc)
            return False


@dataclass(frozen=True)
class RuleSet:
    keyword_rules: tuple[KeywordRule, ...]
    behaviour_rules: tuple[BehaviourRule, ...]
    dictionary_words: tuple[str, ...]
    exclusive_groups: tuple[str, ...]  # groups where only the latest-mentioned tag is kept (状态)
    source: str
    version: str  # first 12 hex digits of the file's SHA-256: changes whenever the text does
    language: Language = field(default_factory=Language.build, compare=False)
    aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()  # [aliases]: canonical word -> Latin spellings
    model: ModelCheck | None = field(default=None, compare=False)  # [model]: the learned check, if any

    def is_from(self, text: str) -> bool:
        """Whether these rules are what `text` gives with the model they hold (the console asks it of the
        running rules and the saved file, rather than parse the file again)."""
        return self.version == _version(text, self.model)


def _version(text: str, model: ModelCheck | None) -> str:
    """A rule set's version: a new model file is a new version (the same text tags differently)."""
    return hashlib.sha256(text.encode("utf-8") + (model.model.digest.encode() if model else b"")).hexdigest()[:12]


def load_rules(path: str | Path) -> RuleSet:
    """Read and validate a rule pack file; raise `RulesError` naming every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(str(path), [f"{path}: cannot read: {exc.strerror or exc}"]) from exc
    return parse_rules(text, source=str(path))


def parse_rules(text: str, source: str = "<string>", base: Path | None = None) -> RuleSet:
    """Validate rule pack text; `source` names it in error messages, `base` is the folder a
    `[model] file` is relative to (default: the folder of `source`, when it is a path)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib says "(at line N, column M)", except for "(at end of document)".
        where = "" if "line" in str(exc) else f" (line {text.count(chr(10)) + 1})"
        raise RulesError(source, [f"{source}: invalid TOML: {exc}{where}"]) from exc

    errors: list[str] = []
    for key in data:
        if key not in _TOP_LEVEL_KEYS:
            errors.append(f"{source}: unknown section {key!r} (expected one of {', '.join(_TOP_LEVEL_KEYS)})")

    vocab = _parse_vocab(data.get("vocab", {}), source, errors)
    language = _parse_language(data.get("language", {}), source, errors)
    aliases = _parse_vocab(data.get("aliases", {}), source, errors, section="aliases")
    concepts = merged(_parse_vocab(data.get("concepts", {}), source, errors, section="concepts"))
    dictionary = _validated(DictionarySpec, data.get("dictionary", {}), f"{source}: dictionary", errors)
    keyword_rules = _parse_keyword_rules(data.get("keyword", []), vocab, concepts, source, errors,
                                         language.words["verbs"], language.words["predicate_adverbs"], language.words)
    behaviour_rules = _parse_behaviour_rules(data.get("behaviour", []), source, errors)
    model = _parse_model(data.get("model"), keyword_rules, source, base, errors)
    if model is not None:
        keyword_rules = _checked_by_concepts(keyword_rules, model.model)
    exclusive = data.get("exclusive_groups", [])
    if not isinstance(exclusive, list) or not all(isinstance(g, str) and g for g in exclusive):
        errors.append(f"{source}: exclusive_groups: must be a list of group names")
        exclusive = []

    seen: dict[str, str] = {}
    for kind, rules in (("keyword", keyword_rules), ("behaviour", behaviour_rules)):
        for index, rule in rules:
            where = f"{kind}[{index}]"
            if rule.tag in seen:
                errors.append(f"{source}: {where} ({rule.tag}).tag: already defined by {seen[rule.tag]}")
            seen.setdefault(rule.tag, where)

    keyword_tags = {rule.tag for _, rule in keyword_rules}
    for index, rule in keyword_rules:
        for unknown in sorted(set(rule.yield_to) - keyword_tags):
            errors.append(f"{source}: keyword[{index}] ({rule.tag}).yield_to: no keyword rule tags {unknown!r}")
        for unknown in sorted({tag for tag, _ in rule.cede} - keyword_tags):
            errors.append(f"{source}: keyword[{index}] ({rule.tag}).cede: no keyword rule tags {unknown!r}")

    if errors:
        raise RulesError(source, errors)
    return RuleSet(
        keyword_rules=tuple(rule for _, rule in keyword_rules),
        behaviour_rules=tuple(rule for _, rule in behaviour_rules),
        dictionary_words=tuple(dict.fromkeys(
            (*(DEFAULT_DICTIONARY if dictionary is None or dictionary.defaults else ()),
             *(dictionary.words if dictionary else ())))),
        exclusive_groups=tuple(exclusive),
        source=source,
        version=_version(text, model),
        language=language,
        aliases=tuple((word, tuple(spellings)) for word, spellings in aliases.items()),
        model=model,
    )


def _parse_model(raw: object, keyword_rules: list[tuple[int, KeywordRule]], source: str, base: Path | None,
                 errors: list[str]) -> ModelCheck | None:
    """The `[model]` table's learned check; every rule's `model = "<tag>"` must name a tag of the model.
    A file with no `[model]` table, or one without `file`, is checked by the shipped model (`SHIPPED_MODEL`)
    for the tags it knows by name, with the default thresholds: an operator writing rules from the docs gets
    the check without asking; `[model] enabled = false` turns it off."""
    if raw is None:
        raw = {}
    spec = _validated(ModelSpec, raw, f"{source}: model", errors)
    if spec is not None and not spec.enabled:
        errors.extend(f"{source}: keyword[{index}] ({rule.tag}).model: names a model's tag, but the file's [model]"
                      " is off" for index, rule in keyword_rules if isinstance(rule.model, str))
    if spec is None or not spec.enabled:
        return None
    folder = base if base is not None else Path(source).parent if not source.startswith("<") else Path.cwd()
    if not spec.file and not SHIPPED_MODEL.is_file():
        logger.warning("%s: no learned check: the shipped model %s is missing", source, SHIPPED_MODEL)
        return None
    path = folder / spec.file if spec.file else SHIPPED_MODEL
    try:
        model = load_model(path)
    except ModelError as exc:
        errors.append(f"{source}: model.file: {exc}")
        return None
    for index, rule in keyword_rules:
        if isinstance(rule.model, str) and model.index(rule.model) is None:
            errors.append(f"{source}: keyword[{index}] ({rule.tag}).model: {path.name} has no model of tag"
                          f" {rule.model!r} (known: {', '.join(model.tags)})")
    return ModelCheck(model, spec.veto_below, str(path), spec.add_above, frozenset(spec.decisive))


def _checked_by_concepts(keyword_rules: list[tuple[int, KeywordRule]], model: TagModel
                         ) -> list[tuple[int, KeywordRule]]:
    """Each checked rule (negatable, or the opt-out) whose own tag the model does not know, checked by the
    model's concept of its value name if it has one (售后:质量 by 售后:问题), and only adding where that
    model tag is one of the model's `add_only`; `model = false` or `"<tag>"` stays as written (both ways),
    and a topic is checked by its own tag only."""
    values, adds_only = concept_values(model), added_only(model)
    if not values and not adds_only:
        return keyword_rules
    checked = []
    for index, rule in keyword_rules:
        if rule.model is True and (rule.negatable or rule.tag == OPT_OUT_TAG):
            found = model_tag(rule.tag, model, values)
            if found is not None and (found != rule.tag or found in adds_only):
                rule = dataclasses.replace(rule, model=found, model_adds_only=found in adds_only)
        checked.append((index, rule))
    return checked


def _parse_language(raw: object, source: str, errors: list[str]) -> Language:
    if not isinstance(raw, dict):
        errors.append(f"{source}: language: must be a table of word lists")
        return Language.build()
    try:
        return Language.build(raw)
    except LanguageError as exc:
        errors.append(f"{source}: language.{exc}")
        return Language.build()


def _validated(model: type[_Spec], raw: object, where: str, errors: list[str]) -> Any:
    """Validate one table; on failure append one line per field problem and return None."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for problem in exc.errors():
            loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in problem["loc"])
            message = "unknown key" if problem["type"] == "extra_forbidden" else problem["msg"]
            errors.append(f"{where}{loc}: {message}")
        return None


def _rule_where(source: str, kind: str, index: int, raw: object) -> str:
    tag = raw.get("tag") if isinstance(raw, dict) else None
    return f"{source}: {kind}[{index}]" + (f" ({tag})" if isinstance(tag, str) and tag else "")


def _group_of(tag: str, group: str | None) -> str:
    return group or tag.split(":", 1)[0]


def _parse_vocab(raw: object, source: str, errors: list[str], section: str = "vocab") -> dict[str, list[str]]:
    if not isinstance(raw, dict):
        errors.append(f"{source}: {section}: must be a table of word lists")
        return {}
    vocab: dict[str, list[str]] = {}
    for name, words in raw.items():
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            errors.append(f"{source}: {section}.{name}: must be a non-empty list of non-empty strings")
            continue
        vocab[name] = [w.strip() for w in words]
    return vocab


def _expand(word: str, vocab: Mapping[str, list[str]]) -> list[str]:
    """'{亲友}也想' -> ['朋友也想', '闺蜜也想', ...]; raise KeyError on an unknown vocab name."""
    pieces = _VOCAB_REF.split(word)  # literal, name, literal, name, ..., literal
    choices = [[piece] if i % 2 == 0 else vocab[piece] for i, piece in enumerate(pieces)]
    return ["".join(combo) for combo in itertools.product(*choices)]


def _expand_all(words: list[str], vocab: Mapping[str, list[str]], where: str, errors: list[str]) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for i, word in enumerate(words):
        try:
            out.update(dict.fromkeys(_expand(word, vocab)))
        except KeyError as exc:
            errors.append(f"{where}[{i}]: {word!r} uses unknown vocab {exc.args[0]!r}")
    return tuple(out)


def _parse_keyword_rules(
    raw_rules: object, vocab: Mapping[str, list[str]], concepts: Mapping[str, tuple[str, ...]], source: str,
    errors: list[str], verbs: tuple[str, ...] = (), adverbs: tuple[str, ...] = (),
    words_of: Mapping[str, tuple[str, ...]] | None = None
) -> list[tuple[int, KeywordRule]]:
    if not isinstance(raw_rules, list):
        errors.append(f"{source}: keyword: must be an array of tables ([[keyword]])")
        return []
    rules = []
    claimed: set[str] = set()  # moods a rule weighs as a cue of its own
    holding = groups_holding(concepts)
    lists = words_of or {}
    prepositions = lists.get("prepositions", ())
    heads: dict[int, dict[str, tuple[int, str, bool]]] = {}  # rule -> verb -> (keywords on it, first, listed)
    own_words = [_own_words(raw, vocab) for raw in raw_rules]
    lost = lost_groups([_group_counts(raw, words, concepts, holding)
                        for raw, words in zip(raw_rules, own_words, strict=True)])
    taken = taken_elsewhere(own_words)
    not_heads = tuple(word for name in ("verbs", "verb_complements", "light_verbs", "verb_aspects")
                      for word in lists.get(name, ()))
    nouns = [_head_nouns(raw, not_heads) for raw in raw_rules]
    claims: dict[str, int] = {}
    for found in nouns:
        for head in found:
            claims[head] = claims.get(head, 0) + 1
    moves: dict[int, float] = {}  # rule -> the weight of the `rescheduled` mood it takes as its own cue
    for index, raw in enumerate(raw_rules):
        where = _rule_where(source, "keyword", index, raw)
        spec = _validated(KeywordSpec, raw, where, errors)
        if spec is None:
            continue
        if not spec.arrangement and MOVED not in spec.cues \
                and names_moves((*spec.keywords, *spec.synonyms), lists.get("reschedule", ())):
            moves[index] = spec.cue_threshold  # 改期, 换个时间, 推迟: the rule a move belongs to
        if not spec.arrangement:  # a rule that names its arrangement takes a move only where it is named
            claimed.update(word for word in spec.cues if word.startswith("mood:"))
            claimed.update([MOVED] if index in moves else ())
        words = _expand_all(spec.keywords, vocab, f"{where}.keywords", errors)
        words += _expand_all(spec.synonyms, vocab, f"{where}.synonyms", errors)
        asked = _expand_all(spec.asked, vocab, f"{where}.asked", errors)
        timed = tuple(word for word in _expand_all(spec.timed, vocab, f"{where}.timed", errors) if word not in words)
        exclude = _expand_all(spec.exclude, vocab, f"{where}.exclude", errors)
        arrangement = _expand_all(spec.arrangement, vocab, f"{where}.arrangement", errors)
        cede = tuple((tag, frozenset(_expand_all(ceded, vocab, f"{where}.cede.{tag}", errors)))
                     for tag, ceded in spec.cede.items())
        contextual = _expand_all(spec.contextual, vocab, f"{where}.contextual", errors)  # also when a keyword
        via: dict[str, str] = {}
        cues: dict[str, float] = {}
        not_mood = spec.not_mood if spec.not_mood is not None else DEFAULT_NOT_MOOD if spec.negatable else ()
        if spec.tag == OPT_OUT_TAG:
            not_mood = (*not_mood, *(mood for mood in OPT_OUT_NOT_MOOD
                                     if mood not in not_mood and mood not in spec.mood))
        kept_asked: set[str] = set()
        lone: set[str] = set()
        short: set[str] = set()
        if spec.expand is not False:
            # A family listed (expand = ["缺陷"]) is all its groups, brought whatever the keywords name.
            families = _listed_families(spec.expand)
            allowed = None if spec.expand is True else _allowed_groups(spec.expand)
            for unknown in sorted(set(allowed or ()) - set(concepts)):
                errors.append(f"{where}.expand: no concept group {unknown!r} (known: {', '.join(concepts)}; "
                              f"families: {', '.join(FAMILIES)})")
            if lost[index]:  # a group another rule of the file names more words of is that rule's
                allowed = [name for name in (concepts if allowed is None else allowed) if name not in lost[index]]
            seeds = words
            if spec.tag == OPT_OUT_TAG and OPT_OUT_GROUP in concepts and (allowed is None or OPT_OUT_GROUP in allowed) \
                    and OPT_OUT_GROUP not in groups_of(words, concepts, allowed, holding):
                seeds = (*words, OPT_OUT_GROUP)  # the required rule hears the 退订 group whatever words it names
            via = expansion(seeds, concepts, allowed, holding, families)
            if seeds is not words and words and OPT_OUT_GROUP not in words:
                via[OPT_OUT_GROUP] = words[0]
            short.update(word for word in via if word in READ_AS_CUT)
            reached = groups_of(seeds, concepts, allowed, holding, families)
            if spec.not_mood is None and spec.negatable and not DEFECT_GROUPS.isdisjoint(reached) \
                    and GROUP_NOT_MOOD.keys().isdisjoint(reached):
                not_mood = DEFECT_NOT_MOOD
            for family, refused in FAMILY_NOT_MOOD.items():
                if len(set(FAMILIES[family]) & set(reached)) >= FAMILY_REACH:
                    not_mood = (*not_mood, *(mood for mood in refused
                                             if mood not in not_mood and mood not in spec.mood))
            for name in reached:
                if spec.not_mood is None and spec.negatable and name in GROUP_NOT_MOOD:
                    not_mood = GROUP_NOT_MOOD[name]

                cues.update(DEFAULT_CUES.get(name, {}))
                if not _reaches_any(GROUP_EXCLUDE_KEPT_BY.get(name, ()), reached):  # a refund chase is a refund rule's
                    exclude += tuple(word for word in GROUP_EXCLUDE.get(name, ())
                                     if word not in exclude and word not in words and word not in via)
                # The rule's own 定金 or 押金 is asked as the group's is: 「定金是多少」 asks a price,
                # 「定金交了五千，能退吗」 and 「定金收据找不到了」 do not.
                kept_asked.update(word for word in words if word in ASKED_CONCEPTS.get(name, ())
                                  or (FEE in ASKED_CONCEPTS.get(name, ()) and len(word) > 1 and word.endswith(FEE)))
                for word in ASKED_CONCEPTS.get(name, ()):
                    if word not in words and word not in via and word not in asked:
                        asked += (word,)
                        via.setdefault(word, next(w for w in words if w in concepts[name]))
                timed += tuple(word for word in TIMED_CONCEPTS.get(name, ())
                               if word not in words and word not in via and word not in asked and word not in timed)
            if spec.negatable:  # 上个月投诉的那件事已经处理好了: settled, whatever moods the rule lists
                refused = [*_negatable_refusals(spec, reached),
                           *(mood for name in reached for mood in GROUP_ALWAYS_NOT_MOOD.get(name, ()))]
                not_mood = (*not_mood, *(mood for mood in dict.fromkeys(refused)
                                         if mood not in not_mood and mood not in spec.mood))
            # A word another rule names as its own keyword is that rule's (咨询:档期's 档期 is no visit).
            via = {word: keyword for word, keyword in via.items() if word not in taken[index]}
            timed = tuple(word for word in timed if word not in taken[index])
            asked = tuple(word for word in asked if word not in taken[index] or word in spec.asked)
            # A thing and what is wrong with it said apart (屏幕不亮 -> 屏幕还是不亮), read as jieba cuts it.
            for form, keyword in predicates_apart(words, adverbs).items():
                if form not in words and form not in via:
                    via[form] = keyword
                    short.add(form)
            if not spec.negatable:  # a topic's verb said alone: 洗车, 精洗 -> 「这周先不洗了」
                for form, keyword in topic_verbs(words, verbs, prepositions).items():
                    if form not in words and form not in via:
                        via[form] = keyword
                        lone.add(form)
                for form, keyword in abbreviations(words).items():
                    if form not in words and form not in via:
                        via[form] = keyword
                        short.add(form)
            # Coming and going (不过来 -> 不过去, 来店里 -> 去店里, 不来了 -> 不来托管了), as the segmenter cuts them.
            for form, keyword in motions_swapped(words).items():
                if form not in words and form not in via and form not in taken[index]:
                    via[form] = keyword
                    short.add(form)
            # The thing a topic's or an enquiry's kinds name, said alone (剧本, 新本, 几人本 -> 这个本); a head
            # that several rules' keywords close with is nobody's.
            for form, keyword in nouns[index].items():
                if claims[form] == 1 and form not in words and form not in via and form not in taken[index]:
                    via[form] = keyword
                    short.add(form)
        if spec.heads is not False and (spec.expand is not False or isinstance(spec.heads, list)):
            own = [word for word in words if word not in via]
            found = head_verbs(own, verbs, lists.get("light_verbs", ()), not spec.negatable) \
                if spec.expand is not False else {}
            listed = spec.heads if isinstance(spec.heads, list) else []
            # A rule that negation cancels hears its verb alone only where two of its keywords are the
            # verb and a one-character object (续 of 续卡 and 续费, 退 of 退款 and 退钱): not 敷 of 敷衍
            # and 敷衍了事, nor 补 of 补习 and 补数学.
            # A topic hears it where two of its keywords are built on it (按摩, 按一下) or one that is
            # the verb and a one-character object (扎针, 洗牙): not 补 of 补水针. A verb the rule already
            # hears bare (`topic_verbs`) competes for the verb with the other rules' (洗 of 洗衣 and 洗鞋
            # is not 洗衣机清洗's) and adds nothing.
            if spec.negatable:
                found = {verb: [word for word in held if len(word) == 2] for verb, held in found.items()}
            heads[len(rules)] = {verb: (len(held), held[0], False) for verb, held in found.items()
                                 if len(held) >= TOPIC_VERB_REACH or (not spec.negatable and len(held[0]) == 2)}
            for verb in listed:
                held = [word for word in own if verb in word] or [own[0]]
                heads[len(rules)][verb] = (len(held), held[0], True)
        cues.update(spec.cues)
        if index in moves:
            cues[MOVED] = moves[index]
            cues.setdefault(CHANGED, moves[index])
        if spec.expand is not False:  # 什么时候开工 -> 哪天能开工, 有裂纹 -> 有条裂纹: read as the segmenter cuts them
            derived = {**asked_when((*words, *via), lists.get("when_words", ())),
                       **with_measures((*words, *via), lists.get("measures", ())),
                       **with_counts(words)}
            for form, keyword in derived.items():
                if form not in words and form not in via:
                    via[form] = keyword
                    short.add(form)
        for form, keyword in asked_both_ways((*words, *via)).items():
            if form not in words:
                via.setdefault(form, keyword)
        rules.append(
            (
                index,
                KeywordRule(
                    tag=spec.tag,
                    group=_group_of(spec.tag, spec.group),
                    keywords=tuple(dict.fromkeys((*words, *via, *asked, *timed, *contextual))),
                    negatable=spec.negatable,
                    exclude=exclude,
                    yield_to=tuple(spec.yield_to),
                    description=spec.description,
                    mood=frozenset(spec.mood),
                    not_mood=frozenset(not_mood),
                    pinyin=spec.pinyin,
                    cues=tuple(cues.items()),
                    cue_threshold=spec.cue_threshold,
                    lifetime=parse_lifetime(spec.lifetime) if spec.lifetime else None,
                    via=tuple(via.items()),
                    intent=spec.intent,
                    asked=(frozenset(asked) - set(words)) | kept_asked,
                    timed=frozenset(timed) - set(via) - set(asked),
                    arrangement=frozenset(arrangement),
                    contextual=frozenset(contextual),
                    cede=cede,
                    verbs=frozenset(lone),
                    abbreviations=frozenset(short),
                    model=spec.model if spec.model is not None else spec.negatable or spec.tag == OPT_OUT_TAG,
                ),
            )
        )
    return _without_claimed_moods(_with_heads(rules, heads, lists.get("verb_aspects", ())), claimed, raw_rules, moves)


def _head_nouns(raw: object, not_heads: tuple[str, ...]) -> dict[str, str]:
    """The heads (`head_nouns`) of a raw topic or enquiry rule's own keywords as written, if it expands."""
    if not isinstance(raw, dict) or raw.get("expand", True) is False \
            or not (raw.get("intent") is True or raw.get("negatable") is False):
        return {}
    written = [word for field in ("keywords", "synonyms") for word in raw.get(field, ())
               if isinstance(word, str) and "{" not in word and GAP not in word]
    return head_nouns(written, not_heads)


def _own_words(raw: object, vocab: Mapping[str, list[str]]) -> tuple[str, ...]:
    """A raw rule's keywords and synonyms, vocab expanded (problems are reported when the rule is parsed)."""
    if not isinstance(raw, dict):
        return ()
    words = [word for field in ("keywords", "synonyms") for word in raw.get(field, ()) if isinstance(word, str)]
    return _expand_all(words, vocab, "", [])


def _group_counts(raw: object, words: tuple[str, ...], concepts: Mapping[str, tuple[str, ...]],
                  holding: Mapping[str, list[str]]) -> dict[str, int] | None:
    """Group -> how many of a raw rule's own keywords name it, for a rule that expands (its `expand` groups)."""
    expand = raw.get("expand", True) if isinstance(raw, dict) else False
    if expand is False or not isinstance(expand, (bool, list)):
        return None
    counts = group_counts(words, concepts, holding, _listed_families(expand))
    if expand is True:
        return counts
    allowed = set(_allowed_groups(expand))
    return {name: count for name, count in counts.items() if name in allowed}


def _reaches_any(groups: Collection[str], reached: Collection[str]) -> bool:
    """Whether a rule that reaches the groups `reached` reaches one of `groups`."""
    return not set(groups).isdisjoint(reached)


def _negatable_refusals(spec: KeywordSpec, reached: Collection[str]) -> Iterator[str]:
    """The moods every negatable rule refuses (`NEGATABLE_NOT_MOOD`), but those its groups keep: someone else's wish
    (`third_party`) is a referral's point, and an enquiry (`intent`, `asked`) asks of a thing for whoever wants it;
    a price doubted (听说你们很贵，真的假的) is a price concern still. A rule that lists the moods it wants (`mood`)
    has said what it reads: nothing is added to it."""
    if spec.mood:
        return
    for mood, kept_by in NEGATABLE_NOT_MOOD.items():
        if _reaches_any(kept_by, reached) or (mood == "third_party" and (spec.intent or spec.asked)):
            continue
        yield mood


def _listed_families(expand: bool | list[str]) -> list[str]:
    """The families a rule's `expand` list names (expand = ["缺陷"]): each brings all its groups."""
    return [name for name in expand if isinstance(name, str) and name in FAMILIES] if isinstance(expand, list) else []


def _allowed_groups(expand: list[str]) -> list[str]:
    """The groups a rule's `expand` list allows: those it names and those of the families it names."""
    return list(dict.fromkeys(group for name in expand if isinstance(name, str)
                              for group in (FAMILIES[name] if name in FAMILIES else (name,))))


def _with_heads(rules: list[tuple[int, KeywordRule]], heads: Mapping[int, Mapping[str, tuple[int, str, bool]]],
                aspects: tuple[str, ...] = ()) -> list[tuple[int, KeywordRule]]:
    """Each rule with the verbs said alone that are its own (`KeywordRule.heads`). A verb that the
    keywords of several rules are built on is the rule's with the most of them (灸: 艾灸, 隔姜灸,
    督脉灸 over 针灸), and nobody's on a tie; a verb an operator listed in `heads` is theirs."""
    def weight(count: int, listed: bool) -> int:
        return 1_000_000 if listed else count  # a verb an operator listed outweighs any count

    most: dict[str, int] = {}
    for found in heads.values():
        for verb, (count, _, listed) in found.items():
            most[verb] = max(most.get(verb, 0), weight(count, listed))
    winners: dict[str, list[int]] = {}
    for number, found in heads.items():
        for verb, (count, _, listed) in found.items():
            if weight(count, listed) == most[verb]:
                winners.setdefault(verb, []).append(number)
    kept = []
    for number, (index, rule) in enumerate(rules):
        own = {verb: keyword for verb, (_, keyword, _) in heads.get(number, {}).items()
               if winners.get(verb) == [number] and verb not in rule.keywords and verb not in rule.verbs}
        if own and not rule.negatable:  # the segmenter's own 接完, 按了: the verb and its aspect as one token
            own |= {verb + aspect: keyword for verb, keyword in own.items() for aspect in aspects
                    if len(aspect) == 1 and verb + aspect not in rule.keywords}
        if own:
            rule = dataclasses.replace(rule, keywords=(*rule.keywords, *own), via=(*rule.via, *own.items()),
                                       heads=frozenset(own))
        kept.append((index, rule))
    return kept


def _without_claimed_moods(rules: list[tuple[int, KeywordRule]], claimed: set[str],
                           raw_rules: list[Any], moves: Mapping[int, float]) -> list[tuple[int, KeywordRule]]:
    """A mood cue a group brings (the 预约 group's `mood:rescheduled`: 「改到周日可以吗」 moves a
    booking) stays with the rule only while no rule of the file weighs that mood itself, unless
    that rule names its `arrangement` (a leave rule with 课: 「周六的课改到周日」 is leave, a move
    that names no class still books)."""
    if not claimed:
        return rules
    kept = []
    for index, rule in rules:
        own = {*raw_rules[index].get("cues", {}), *([MOVED] if index in moves else ())}
        cues = tuple((word, weight) for word, weight in rule.cues if word not in claimed or word in own)
        if cues == rule.cues:
            kept.append((index, rule))
            continue
        # A move is the moving rule's: 「约的十点，能推到十一点吗」 moves a booking, it makes none.
        moved = moves and MOVED in dict(rule.cues) and MOVED not in dict(cues) and MOVED_MOOD not in rule.mood
        not_mood = rule.not_mood | {MOVED_MOOD} if moved else rule.not_mood
        kept.append((index, dataclasses.replace(rule, cues=cues, not_mood=not_mood)))
    return kept


def _parse_behaviour_rules(raw_rules: object, source: str, errors: list[str]) -> list[tuple[int, BehaviourRule]]:
    if not isinstance(raw_rules, list):
        errors.append(f"{source}: behaviour: must be an array of tables ([[behaviour]])")
        return []
    # Immutable sandbox: an operator-written expression can read metrics, never call or mutate.
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    rules = []
    for index, raw in enumerate(raw_rules):
        where = _rule_where(source, "behaviour", index, raw)
        spec = _validated(BehaviourSpec, raw, where, errors)
        if spec is None:
            continue
        try:
            unknown = meta.find_undeclared_variables(env.parse("{{ (" + spec.when + ") }}")) - METRIC_NAMES
            expression = env.compile_expression(spec.when)
        except TemplateSyntaxError as exc:
            errors.append(f"{where}.when: invalid expression {spec.when!r}: {exc.message}")
            continue
        if unknown:
            errors.append(
                f"{where}.when: unknown metric {', '.join(sorted(unknown))}"
                f" (known: {', '.join(sorted(METRIC_NAMES))})"
            )
            continue
        rules.append(
            (index, BehaviourRule(spec.tag, _group_of(spec.tag, spec.group), spec.when, spec.description, expression))
        )
    return rules
