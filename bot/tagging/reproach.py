"""Reproaches: complaints said as a question, an exclamation or a plain account, with no complaint word.

More grievance moods (bot/tagging/grievance.py reads them with its own, and the 投诉 group weighs
them as cues by name, `"mood:blamed" = 2`). The words are `[language]` lists:

- `unmet` (two): what was promised or shown (`pledges`: 说好的, 答应的, 图片上的…) asked for with 呢
  closing the clause: 「说好的免费停车呢」; not a question word's question (说好的时间是几点呢) nor the
  customer's own arrangement (我跟老师说好的…).
- `unbearable` (one): a condition (`harsh`: 冷, 吵, 脏, 挤…) taken to an extreme (`extremes`: 得要命, 死,
  得不行…), or a use it rules out (得没法, 简直没法 + one of `uses`: 喝, 睡…): 「包间里闷得要命」,
  「汤咸得没法喝」; not the weather or the neighbours (`elsewhere`: 天气, 外面, 隔壁…) nor the customer's own
  (我这周没法过来).
- `blamed` (two): a question that blames the business: 怎么搞的; 怎么 (就这样) + a verb of the work
  (`blamed_verbs`: 装, 补, 处理…) + 的 closing a clause that names the business or its people after
  another clause of the sentence (「刚补的墙面就开缝了，你们师傅怎么补的」); a duty they skipped, asked of
  them (`duties`: 你们打包前都不检查的吗, 你们是不是没消毒过), 你们管不管; 难道 with a burden put on the
  customer (`impositions`) or the business named (难道预约了也要在门口排队吗).
- `futile` (two): what a thing is good for asked of something paid for or the business's
  (`futility`: 有什么用, 有啥用…; 了 in its clause or the one before, or `business` in it):
  「办了年卡有什么用」; 「光子嫩肤有什么用」 asks.
- `unworthy` (two): money paid named in the sentence (`paid`: 花了, 全价, 这个价…, or an amount
  with 块, 元, 百, 千, 万) and what it bought scorned (`scorned_value`: 就这, 还这么, 还收…, in a
  question; 还不如 told): 「一晚六百多就这条件？」, 「花了四千多报的班，还不如在家自学」.
- `harmed` (one): the business or its people damaged the customer's things (师傅把我的鱼缸磕出一道缝:
  `business` or `staff` after 被 or before 把, then one of `harms`: 坏, 断, 破, 碎…); not a question.
- `overdue` (two): a span promised in an earlier clause of the sentence (说两个工作日, 说好的七天) and time
  gone by told in this one (现在都一个多星期了: `elapsed`), not asked (医生说一周复查，现在两周了还能去吗).
- `scornful` asked back: 这叫, 这是 and what the business claims to be, with a ？, after another clause
  (泳池的水都是浑的，这叫恒温泳池？).
- `unheeded` in one clause: the customer told them (说了, 讲了三次) and it goes on (`defied`: 还发, 又打…)
  or is refused (`refused`: 还是不改, 也不管): 「跟前台讲了三次还是不改」.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.tagging.matches import PUNCTUATION as _PUNCTUATION
from bot.tagging.patterns import compile_pattern, longest_first

REPROACH_MOODS = ("unmet", "unbearable", "blamed", "futile", "unworthy", "harmed", "overdue")

DEFAULT_REPROACH: dict[str, tuple[str, ...]] = {
    # `unmet`: what was promised or shown, asked for with 呢 (说好的免费停车呢, 图片上的阳台呢).
    # (Not 说的 or 写的: 「你说的那个链接呢」 asks for it.)
    "pledges": ("说好的", "答应的", "答应好的", "承诺的", "宣传的", "广告上的", "号称的", "保证的", "照片里的",
                "照片上的", "图片上的", "图片里的", "图上的", "图里的", "页面上的", "宣传册上的", "海报上的"),
    # `unbearable`: a condition taken to an extreme (闷得要命, 吵死了) or a use ruled out (咸得没法喝).
    "harsh": ("冷", "热", "吵", "脏", "挤", "臭", "闷", "辣", "咸", "潮", "晃", "卡", "难吃", "难闻", "油腻", "黑",
              "乱", "晒", "冻", "凉"),
    "extremes": ("得要命", "得要死", "死", "死了", "死人", "得不行", "得受不了", "得没法", "得不能", "到爆", "得离谱",
                 "透了"),
    "uses": ("用", "吃", "喝", "看", "睡", "进", "住", "玩", "穿", "听", "学", "坐", "戴", "待", "呆", "休息",
             "洗澡", "看书", "上课", "下咽", "入口", "开", "唱", "练"),
    # Where a harsh condition is not the business's doing: the weather, the street, the neighbours
    # (今天外面热死了, 楼上装修吵死了).
    "elsewhere": ("天气", "外面", "路上", "气温", "下雨", "下雪", "太阳", "降温", "夏天", "冬天", "隔壁", "楼上",
                  "楼下", "邻居", "对面", "马路"),
    # `blamed`: the work asked about as done wrong (你们师傅怎么补的), a duty skipped (都不检查的吗),
    # a burden put on the customer (难道…就得…).
    "blamed_verbs": ("搞", "装", "修", "补", "洗", "剪", "做", "干", "管", "处理", "包装", "打包", "送", "开", "带",
                     "看", "服务", "办事", "保管", "烫", "染"),
    "duties": ("检查", "核对", "检验", "查", "清理", "打扫", "消毒", "管", "确认", "培训", "维护", "看着", "盯着",
               "喂", "清洗", "测试", "验货", "试", "调试", "看一眼"),
    "impositions": ("就得", "就要", "还要", "也要", "还得", "就该", "也得", "只能", "就活该"),
    # `futile`: what a thing is good for, asked of what was paid for (办了年卡有什么用, 你们这积分有啥用).
    "futility": ("有什么用", "有啥用", "有何用", "有什么意义", "有啥意义", "顶什么用", "有个啥用"),
    # `unworthy`: money paid (花了, 全价, 一节课两百) and what it bought scorned (还这么敷衍？, 就这？, 还不如).
    "paid": ("花了", "充了", "交了", "付了", "全价", "全款", "原价", "这个价", "这价", "这钱", "这么多钱", "那么多钱",
             "买的"),
    "scorned_value": ("就这", "就这样", "就这个", "就这种", "就玩这", "还这么", "还那么", "还收", "还要收", "还照收",
                      "值吗", "值得吗", "还不如"),
    # `harmed`: what the business's people did to the customer's things (磕裂, 弄坏, 碰碎).
    "harms": ("坏", "断", "破", "碎", "花", "伤", "丢", "脏", "裂", "歪", "磕", "刮", "划", "烫", "撞", "掉",
              "弄丢", "漏"),
    # `overdue`: a span promised (说一周, 说好的三到五个工作日, 承诺七天) before time gone by.
    "promised_spans": ("说", "说好", "说好的", "说是", "承诺", "答应", "保证", "讲好"),
    # `unheeded` in one clause: told (说了三次了), and still done (还发, 又打).
    "defied": ("发", "打", "推", "打电话", "推送", "来", "这样", "那样", "犯"),
    # … or told and refused (讲了好几遍也不改, 跟网管说了也不管).
    "refused": ("不改", "没改", "不听", "不管", "没管", "不理", "没理", "没人管", "没人理", "没用"),
    "span_units": ("天", "日", "工作日", "个工作日", "周", "星期", "礼拜", "月", "个月", "小时", "个小时"),
}

_NUMBER = "(?:[0-9]+|[一二两三四五六七八九十百千万几半]+)"
_AMOUNT = re.compile(f"{_NUMBER}多?(?:块|元|百|千|万|k)")
_OWN = ("我", "我们", "孩子", "自己", "我自己", "俺")
_ASKING = re.compile("几|什么|哪|多少|怎么|谁|吗|么|是不是")
_CLOSING = f"[啊呀呢吧嘛啦哈]*(?:$|[{_PUNCTUATION}])"  # closing its clause (the trigger reads a message)
# A 就这 that is no scorn: 就这样吧 (so be it), 就这个 as a choice (就这个颜色吧, 就这个时间).
# What the business claims to be, asked back after a report (这叫恒温泳池？, 这是四星酒店？？, 这就是消过毒的？).
_NAMED_SO = re.compile("这(?:也|就|还)?(?:叫|是|算)(?=[^什哪几谁怎多])")
_SETTLING = re.compile("就这(?:样|个|么|些)?(?:吧|定|了|办|说|时间|颜色|款|个吧)")


def _either(items: Sequence[str]) -> str:
    return "|".join(map(re.escape, sorted(set(items), key=longest_first))) or "(?!)"


@dataclass(frozen=True)
class Reproaches:
    """The reproach lists in force, compiled once per rule set."""

    words: Mapping[str, tuple[str, ...]]
    trigger: str  # a pattern of what may hold a reproach, a branch of the grievance trigger
    _unmet: re.Pattern[str]
    _unbearable: re.Pattern[str]
    _blamed_how: re.Pattern[str]
    _duty: re.Pattern[str]
    _imposed: re.Pattern[str]
    _futile: re.Pattern[str]
    _scorned_value: re.Pattern[str]
    _paid: re.Pattern[str]
    _harm: re.Pattern[str]
    _promised_span: re.Pattern[str]
    _defied: re.Pattern[str]
    _aimed: re.Pattern[str]
    _elsewhere: re.Pattern[str]

    @classmethod
    def build(cls, words: Mapping[str, tuple[str, ...]]) -> Reproaches:
        get = words.get
        aimed = _either((*get("business", ()), *get("staff", ())))
        unmet = f"(?:{_either(get('pledges', ()))})[^{_PUNCTUATION}]{{1,14}}?呢(?=$|[{_PUNCTUATION}])"
        uses = _either(get("uses", ()))
        unbearable = (f"(?:{_either(get('harsh', ()))})(?:{_either(get('extremes', ()))})"
                      f"|(?:得|简直|完全)没法(?:{uses})")  # 根本没, 压根没, 都没 are cues of their own
        blamed_how = f"怎么搞的|(?:怎么|就这样|就这么)(?:{_either(get('blamed_verbs', ()))})的(?={_CLOSING})"
        duty = (f"(?:都|也|从来|就)?(?:不|没|没有)(?:{_either(get('duties', ()))})(?:过|一下)?的?(?:吗|么|嘛|啊)"
                f"|是不是(?:都)?(?:没|不)(?:{_either(get('duties', ()))})"
                f"|(?:管不管|到底有没有|到底管不管|倒是管管)")  # 你们管不管, 你们到底有没有喂
        imposed = f"难道[^{_PUNCTUATION}]{{0,16}}?(?:{_either(get('impositions', ()))}|{aimed})"
        futile = f"(?:{_either(get('futility', ()))})(?={_CLOSING})"
        scorned = f"(?:{_either(get('scorned_value', ()))})"
        paid = f"(?:{_either(get('paid', ()))})|{_AMOUNT.pattern}"
        harm = (f"(?:被(?:{aimed})|(?:{aimed})[^{_PUNCTUATION}]{{0,6}}?把)[^{_PUNCTUATION}]{{0,8}}?"
                f"(?:{_either(get('harms', ()))})")
        units = _either(get("span_units", ()))
        promised_span = (f"(?:{_either(get('promised_spans', ()))})[^{_PUNCTUATION}]{{0,4}}?"
                         f"{_NUMBER}(?:到{_NUMBER})?(?:{units})")
        told = f"(?:说|讲|提)了[^{_PUNCTUATION}]{{0,10}}?"
        defied = (f"{told}(?:还|又|照样|照旧)(?:在|是|要|再)?(?:{_either(get('defied', ()))})"
                  f"|{told}(?:也|都|还|还是)(?:{_either(get('refused', ()))})")
        # 这是四星酒店？ is found in a message by its question mark, in a clause by `ClauseInfo.asked`
        asked_back = f"{_NAMED_SO.pattern}[^{_PUNCTUATION}]{{1,10}}?[？?]"
        trigger = "|".join((unmet, unbearable, blamed_how, duty, imposed, futile, scorned, harm, defied, asked_back))
        return cls(words, trigger, *(compile_pattern(p) for p in (
            unmet, unbearable, blamed_how, duty, imposed, futile, scorned, paid, harm, promised_span, defied,
            aimed, _either(get("elsewhere", ())))))

    def moods(self, folded: str, bounds: frozenset[int], sentence: str, wanted: frozenset[str], asked: bool,
              elapsed: bool) -> set[str]:
        """The reproach moods of one clause (`folded`, its token `bounds`) among `wanted`; `sentence` is
        its sentence's text, `asked` whether a ？ follows it, `elapsed` whether it tells time gone by."""
        moods: set[str] = set()
        start = max(sentence.find(folded), 0)
        earlier = sentence[:start]
        if "unmet" in wanted and self._unmet_in(folded, earlier):
            moods.add("unmet")
        if "unbearable" in wanted and self._unbearable_in(folded, bounds, sentence):
            moods.add("unbearable")
        if "blamed" in wanted and self._blamed_in(folded, earlier):
            moods.add("blamed")
        if "futile" in wanted and self._futile_in(folded, earlier):
            moods.add("futile")
        if "unworthy" in wanted and self._unworthy_in(folded, sentence, asked):
            moods.add("unworthy")
        if "scornful" in wanted and (asked or folded.endswith(("？", "?"))) and self._named_so(folded, earlier):
            moods.add("scornful")  # 大堂一股霉味，这是四星酒店？
        if "harmed" in wanted and not asked and self._harm.search(folded) and not folded.endswith(("吗", "么")):
            moods.add("harmed")
        if "unheeded" in wanted and self._defied_in(folded):
            moods.add("unheeded")  # 说了好几回别打了又打: told, and it goes on
        if "overdue" in wanted and elapsed and earlier and not (asked or folded.endswith(("吗", "么"))) \
                and self._promised_span.search(earlier):
            moods.add("overdue")
        return moods

    def asked_back(self, folded: str) -> bool:
        """Whether an asked clause may be a claim asked back (这叫恒温泳池, 你们宣传的私教课 after 这就是, which
        the clauses are split at): read for reproaches though the trigger, which finds it in a message by its
        question mark, does not find it in the clause."""
        return _NAMED_SO.search(folded) is not None or self._aimed.match(folded) is not None

    def _named_so(self, folded: str, earlier: str) -> bool:
        """这叫/这是/这就是 and what the business claims to be, asked back after a report or naming the business
        (这叫恒温泳池, 这是消过毒的, 这就是你们宣传的私教课): no question word, no 吗 or 呢 (这是赠品吗 asks)."""
        match = _NAMED_SO.search(folded)
        if match is not None:
            claimed = bool(earlier) or self._aimed.match(folded, match.end()) is not None
            end = match.end()
        else:  # 这就是你们说的名师: the clauses are split at 就是, 这 closes the clause before
            claimed = earlier.rstrip("，").endswith("这") and self._aimed.match(folded) is not None
            end = 0
        return (claimed and not _ASKING.search(folded, end)
                and not folded.rstrip("啊呀吧").endswith(("吗", "么", "呢", "吧")))

    def _defied_in(self, folded: str) -> bool:
        """Told and still done or refused in one clause, not told to the customer's own child (我跟孩子说了…)."""
        own = "|".join(map(re.escape, self.words.get("own_subjects", ())))
        return any(not (own and re.search(f"(?:跟|和|给|对)(?:{own})", folded[: match.start()]))
                   for match in self._defied.finditer(folded))

    def _unmet_in(self, folded: str, earlier: str) -> bool:
        match = self._unmet.search(folded)
        if match is None or _ASKING.search(match.group()[:-1]):
            return False  # 说好的时间是几点呢 asks
        before = (earlier + folded[: match.start()])[-6:]
        return re.search("我们?(?:跟|和|与)", before) is None  # 我跟老师说好的…: the customer's own plan

    def _unbearable_in(self, folded: str, bounds: frozenset[int], sentence: str) -> bool:
        if self._elsewhere.search(sentence):
            return False  # 今天外面热死了, 楼上装修吵死了: not the business's doing
        for match in self._unbearable.finditer(folded):
            if match.start() not in bounds and not folded.startswith(("得", "根本", "简直", "完全", "压根", "都"),
                                                                      match.start()):
                continue
            before = folded[: match.start()].rstrip("都也还就真是")
            if not before.endswith(_OWN):
                return True  # not 我这周没法过来, 孩子都没法上课
        return False

    def _blamed_in(self, folded: str, earlier: str) -> bool:
        how = self._blamed_how.search(folded)
        if how is not None and (how.group() == "怎么搞的" or (earlier and self._aimed.search(folded))):
            return True  # 刚补的墙面就开缝了，你们师傅怎么补的; 你们就这样处理的？; not 你们这个蛋糕怎么做的
        if self._aimed.search(folded) and self._duty.search(folded):
            return True  # 你们发货前都不检查的吗, 你们是不是没检查过
        # 难道预约了也要在门口排队吗, 难道迟到是你们的规矩
        return self._imposed.search(folded) is not None

    def _futile_in(self, folded: str, earlier: str) -> bool:
        if self._futile.search(folded) is None:
            return False
        previous = earlier.rstrip("，").rsplit("，", 1)[-1]
        return "了" in folded or "了" in previous or self._aimed.search(folded) is not None

    def _unworthy_in(self, folded: str, sentence: str, asked: bool) -> bool:
        match = self._scorned_value.search(folded)
        if match is None or _SETTLING.search(folded, match.start()):
            return False
        said = match.group()
        if said != "还不如" and not (asked or folded.endswith(("吗", "么"))):
            return False  # 就这？, 还这么卡？: asked; 还不如 is told
        return self._paid.search(sentence) is not None
