"""Grievance moods: how a customer complains without a complaint word.

Each mood is one general way of saying that the business let the customer down, read from the
clause's words and weighed as a cue (`"mood:persisting" = 1` in a rule's `[keyword.cues]`; the
投诉 group brings them, see bot/tagging/concepts.py). The words are `[language]` lists:

- `persisting`: a word of persistence or repetition (`persistence`: 又, 一直, 总是, 还是…) with a
  bad turn after it in the clause (a negator, a `negative` word or one of `bad_turns`: 占线, 被,
  弄错…): 「电话一直占线」, 「教材还是没发」. Not of the customer or their child (我又忘了带卡, 孩子
  还是不会), not praise or neutral news (又快又好, 老师又布置作业了吗).
- `elapsed`: time or tries gone by, told (两个月了, 一学期了, 都第三周了, 都换了三个了; 学了一年 or 上了两个月
  口语课 near the end of its clause, not 开了几天已经好了, where the days only time what follows).
- `exasperated`: a why-question that expected better (`why_words` + 又/还/没/不/总…: 怎么又清零了,
  为什么我的房间没有窗户); a why about a procedure (为什么要空腹) is none. `aimed` besides when the
  clause names the business or its people (`business`, `staff`) and not the customer: 「阿姨怎么没来」.
- `misconduct`: staff idle or worse at work (`misdeeds`, with one of `staff` in the sentence or 在
  before it: 「助教一直在刷抖音」, 「教练一上车就骂」), not up to the simplest task (连…都不会, 连个电话都
  没有), a mistake of theirs (`mistakes`, with them or 你们 in the clause: 「前台把我名字登记错了」) or the
  customer left uninformed (也/都/从来 + a negator + one of `omissions`: 「换班也不提前通知」); never said
  of the customer or their child.
- `overcharged`: a bill padded (`overcharge`: 多收, 多扣, 多算, 乱收费…) told as done (了, 我, an
  amount): 「结账时多收了我两百」; 多扣的那笔 names it.
- `scornful`: a what that asks nothing but scorns what the business is (这什么服务, 这叫什么老师, 这算什么
  售后, 这算哪门子医院): 这 with 什么 (or 哪门子) right before one of `scorned` (服务, 老师, 效果…); 这是什么
  only with an exclamation after it (这是什么态度啊), since 「这是什么课」 asks.
- `late`: someone of the business or a turn that came only after a time (`late_arrivals` after 才, a
  clock time or a span before it in the clause: 「老师九点四十才到」, 「等到三点多才有人来接待」); not a
  question, nor a time to come (九点才开门吗, 下周三才能出来, 五点半才下班). News told only after the fact
  is late too: 了 or 完, then 才 and one of `late_news` (说, 告诉, 通知…): 「课都上了一半了才说要换老师」,
  「钱都交了才告诉我不能退」; not the customer's or their child's (孩子吃完饭才说肚子疼).
- `ironic` (two): praise put in quotation marks that no verb of saying opens, a short quotation that opens
  or closes with one of `ironic_praise` (负责, 周到, 好, 省心…) with at most two characters besides: 「老师上课可
  真够“负责”的」, 「你们说的“专业验光”」; 「老师说“孩子进步很大”」 reports, 「“美好时光”」 names.
- `overrun` (over a sentence): the agreed clock time (`appointed`: 约的两点, 十一点的号) passed, a later
  time told as reached (都快三点了, 十点多了还在等); an arrival only after it is `late` too.
- `misquoted` (over a sentence): a price promised (`advertised`: 宣传的是199) and a different one asked
  or charged (`charged`: 到店变成了399).

- `unkept` (over a sentence): a promise (`promises`: 说好的一个小时, 号称) and, in a later clause, what
  came of it (`outcomes`: 结果, 这也叫, 四十五分钟就…); not a question about it, nor the customer's own plan.
- `unheeded` (over a sentence): the customer told the business (`told`: 跟师傅说了, 反映) and, in a later
  clause, it still stands (`unheeded`: 还是, 一点动静都没有); not told to their own child, not asked.
- `churned`: people changed too often (一学期换了三个老师, 转了三个人都没说清楚: `churn_verbs`, a count of
  `churn_measures`, a period of `churn_periods` or 都).
- `waited`: a span of `wait_units` told gone by (坐了四十分钟了, 一个半小时都没人理); 等了/排了 are the
  wait cues'.

The customer or their child as the one a deed was done to (孩子被前台吼了, 我被美容师骂了) is no
subject of their own: the deed is the staff's.

A clause that says a symptom has not gone yet (还没消, 一直没褪: a negator before a resolution verb; 退
only in a message that names no money, 押金还没退 is owed) weighs no cue at all: it reports, it does
not complain.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.tagging.matches import PUNCTUATION as _PUNCTUATION
from bot.tagging.patterns import compile_pattern, longest_first
from bot.tagging.reproach import DEFAULT_REPROACH, REPROACH_MOODS, Reproaches

GRIEVANCE_MOODS = ("persisting", "elapsed", "exasperated", "aimed", "misconduct", "overcharged", "scornful", "late",
                   "ironic", "overrun", "misquoted", "waited", "unkept", "unheeded", "churned", *REPROACH_MOODS)
# Moods told over a sentence (the agreed time, then the hour it became): a cue of one takes the
# whole sentence, so 「价目表上写的九百八，结账时收了我一千二」 asks no price in its first clause.
SPANNING_MOODS = frozenset({"overrun", "misquoted", "unkept", "unheeded"})

DEFAULT_GRIEVANCE: dict[str, tuple[str, ...]] = {
    "persistence": ("又", "一直", "总是", "老是", "总", "老", "还是", "始终", "仍然", "依然", "依旧", "照样", "每次都",
                    "次次", "回回", "天天", "到现在还", "到现在都", "至今"),
    # What makes a persisting state a bad one besides a negator or a `negative` word.
    "bad_turns": ("被", "占线", "打不进", "打不通", "出错", "错", "弄错", "搞错", "算错", "丢", "弄丢", "迟到", "清零",
                  "换人", "推销", "催", "拖", "涨价", "要钱", "收钱", "加钱", "只会", "只能", "等", "排队", "晚",
                  "放鸽子", "让我买", "让我加", "让我办", "让我充", "催我", "逼我",
                  "爽约", "关机", "失联"),
    # A negator that is no bad turn (一直不错, 还是不用了, 又没事了), or one another cue weighs (怎么还没: 还没).
    "not_bad": ("还没", "不错", "不用", "没事", "没问题", "不好意思", "不客气", "没关系", "不用谢", "不少", "不断",
                "没想到",
                "不一样", "不停", "不知道", "不同"),
    "why_words": ("为什么", "为啥", "怎么", "咋", "怎么会", "干嘛"),
    # After a why-word, what says it expected better (怎么又, 为什么还要, 为什么我的房间没有).
    "why_turns": ("又", "还", "没", "没有", "不", "总", "总是", "老是", "一直", "都没"),
    "business": ("你们", "你家", "你们家", "你们店", "贵店", "你们这", "你们那"),
    "staff": ("客服", "老师", "前台", "顾问", "医生", "护士", "店长", "经理", "工作人员", "咨询师", "美容师", "教务",
              "班主任", "校长", "助教", "店员", "销售", "阿姨", "月嫂", "育婴师", "师傅", "技师", "保洁", "司机",
              "教练", "护工", "理发师", "摄影师", "化妆师", "服务员", "收银", "收银员", "营业员", "导购", "主管",
              "管家",
              "理疗师", "营养师", "配送员", "医生们", "老师们"),
    # Whose persisting state is the customer's own: 我又忘了带卡, 孩子还是不会用筷子.
    "own_subjects": ("我", "我自己", "自己", "俺", "我们", "孩子", "儿子", "女儿", "宝宝", "娃", "小孩", "我家孩子"),
    # What staff must not do at work: idle (玩手机, 刷抖音, 睡觉) or worse (骂, 吼, 要烟).
    "misdeeds": ("玩手机", "看手机", "刷手机", "刷抖音", "刷视频", "看视频", "打游戏", "玩游戏", "回微信", "聊微信",
                 "聊天", "睡觉", "打瞌睡", "抽烟", "吃东西", "煲电话粥", "发呆", "嗑瓜子", "化妆", "闲聊", "骂", "骂人",
                 "吼", "吼人", "翻白眼", "阴阳怪气", "要烟", "送烟", "收红包", "要红包"),
    # Left uninformed: 也/都/从来 + a negator + one of these (也不提前通知, 阿姨也没说一声, 从来不回复).
    "omissions": ("通知", "说一声", "告诉", "提醒", "打招呼", "解释", "道歉", "回复", "回电", "联系", "说明", "回",
                  "跟进", "批改", "反馈"),
    # A mistake of the business's people (登记错, 开错, 搞错), said with them or 你们 in the clause.
    "mistakes": ("弄错", "搞错", "登记错", "开错", "算错", "写错", "记错", "拿错", "发错", "排错", "做错", "剪错",
                 "装错",
                 "送错", "寄错", "填错", "录错", "输错", "扣错", "收错", "让我等了", "让我们等了"),
    "overcharge": ("多收", "多扣", "多算", "多要", "多收费", "多计", "乱收费", "乱扣", "重复扣", "重复收", "扣了两次",
                   "收了两次", "扣两次", "多出来"),
    # What a scornful 这什么 (这叫什么, 这算哪门子) judges: the business and what it gives.
    "scorned": ("服务", "态度", "老师", "医生", "护士", "医院", "诊所", "机构", "学校", "地方", "店", "效果", "水平",
                "质量", "素质", "操作", "安排", "管理", "教学", "环境", "售后", "待遇", "体验", "课", "东西", "玩意",
                "玩意儿", "人"),
    # What came only after a time (老师九点四十才到, 三点多才有人来, 快中午才轮到我): see `late`.
    "late_arrivals": ("到", "来", "有人", "开始", "轮到", "叫到", "回复", "回", "处理", "开门", "上课", "出现"),
    # What the business told only after the fact (交了钱才告诉我, 上了一半了才说): see `late`.
    "late_news": ("说", "告诉", "讲", "通知", "提醒", "跟我说", "告知"),
    # Praise that a quotation mark turns to irony (真够“负责”的, 真是“周到”): see `ironic`.
    "ironic_praise": ("负责", "周到", "好", "省心", "放心", "贴心", "专业", "靠谱", "用心", "认真", "热情", "耐心",
                      "高效", "及时", "明显", "优秀", "厉害", "到位", "实惠", "划算", "良心", "正规", "细心", "优质",
                      "效率", "快"),
    # `overrun`: what makes a clock time the one agreed (约的两点, 说好十点, 上课时间是七点; 十一点的号).
    "appointed": ("约的", "约了", "约好", "约好的", "预约的", "预约了", "约在", "说好", "说好的", "定的", "定好的",
                  "时间是", "的号", "的课", "的预约"),
    # `misquoted`: where a price was promised (宣传的是199, 海报上写的99, 电话里说的三千八) and what the
    # customer was then asked or charged (到店变成了399, 进去就说要299, 结账又要加一百).
    "advertised": ("宣传", "广告", "海报", "写的", "写着", "标的", "标着", "标价", "挂的", "说的", "说好", "明明",
                   "页面上", "价目表",
                   # what the business said of the price once (咨询说三万八, 电话里说两百八)
                   "咨询说", "当时说", "当初说", "之前说", "电话里说"),
    "charged": ("变成", "成了", "要", "收", "收了", "收我", "扣了", "刷了", "付了", "加", "结账", "结算"),
    # Units of time or of tries for `elapsed` (两个月了, 都第三周了, 都换了三个了).
    # (A wait of minutes or hours is weighed by the wait cues, 等了*分钟.)
    "durations": ("天", "日", "周", "星期", "礼拜", "月", "季度", "学期", "年"),
    # Tries counted with 都 (都换了三个了, 都跑了三趟了); without it the count cues weigh them (问了#遍).
    "tries": ("个", "次", "回", "遍", "趟"),
    # `waited`: a span of these told as gone by (坐了四十分钟了, 一个半小时都没人理).
    "wait_units": ("分钟", "小时", "钟头"),
    # `unkept`: what the business promised (说好的一个小时, 宣传页上写的, 跟我说能维持一年, 号称) and, in a
    # later clause of the sentence, what came of it (结果, 实际, 这也叫, 来了一看; or a span then 就 or
    # 不到: 四十五分钟就喊我起来了, 三个月就没了).
    "promises": ("说好", "说好的", "说是", "跟我说", "和我说", "跟我们说", "宣传", "写的", "写着", "号称",
                 "承诺", "保证", "答应", "广告上", "标的", "标着", "当初说", "时候说", "当时说"),
    "outcomes": ("结果", "实际", "实际上", "其实", "哪有", "这也叫", "这叫", "这就叫", "管这叫", "来了", "一看",
                 "到手", "才", "也就", "只有", "就没了", "就结束", "就下课", "就下钟", "就完了",
                 # what was promised never came (说好的送饮料，一瓶都没给), or a why (说好免费的，为什么收了)
                 "都没", "也没", "根本没", "压根没", "一直没", "为什么", "为啥"),
    # `unheeded`: the customer told someone of the business (跟师傅说了, 反映了, 上周就说了) and, in a later
    # clause, it still stands (还是, 照样, 一点动静都没有).
    "told": ("说了", "讲了", "提了", "反映", "交代了", "强调了", "说过", "提过", "讲过", "叮嘱了", "要求了"),
    "unheeded": ("还是", "照样", "依然", "仍然", "依旧", "还那么", "还这么", "一点动静", "没动静", "没反应", "没回音",
                 "没人理", "没人管", "没下文", "没听见", "没听到", "跟没说一样"),
    # `churned`: people changed or handed on too often (一学期换了三个老师, 转了三个人都没说清楚).
    "churn_verbs": ("换了", "转了", "换过", "换掉了"),
    "churn_measures": ("个", "次", "位", "任", "拨", "轮"),
    "churn_periods": ("天", "周", "星期", "礼拜", "月", "季度", "学期", "年", "疗程", "阶段"),
    **DEFAULT_REPROACH,
}

_NUMBER = "(?:[0-9]+|[一二两三四五六七八九十百几半]+)"
_HEALING = "消褪散缓"  # resolution verbs of a symptom; 退 too where no money is named (好 and 淡 judge results)
_PARTICLES = "也都还就真的是又总老一直"
# A clock time or a span before 才 (九点四十, 三点多, 半小时, 二十分钟, 快中午).
_TIME_BEFORE = re.compile(f"(?:{_NUMBER}点|{_NUMBER}(?:个)?(?:多)?(?:分钟|小时|钟头)"
                          "|半小时|半个小时|半天|中午|上午|下午|晚上|一上午|一下午)")
# A verb of saying that opens a quotation (说“…”, 讲：「…」, 写着“…”): speech, no irony.
_SAYING = re.compile("(?:[说讲问道喊骂]|写着)[我你他她]?[:：,，]?\\s*$")
_UNHEALED = re.compile("[没不](?:有)?(?:完全|怎么|太)?([" + _HEALING + "退])")
# A clock time: 两点, 9点半, 十点四十, 十二点一刻, 10:30 (`overrun`); its hour, its minutes.
_HOUR = "(?:[0-9]{1,2}|十[一二]?|[一二两三四五六七八九])"
_CLOCK = re.compile(f"({_HOUR})点(半|一刻|三刻|多|[0-9]{{1,2}}分?|[一二三四五]?十[一二三四五六七八九]?分?|零五分?)?"
                    "|([0-9]{1,2})[:：]([0-9]{2})")
# A clock time past the agreed one is told: 都快三点了, 十点多了, 七点半才到, 排到十二点半才轮到.
_LATE_AFTER = ("了", "多了", "才", "还", "多还")
_LATE_BEFORE = ("都", "快", "已经", "现在", "等到")
# A price told (199, 三千八, 九十九, 一百): digits, or a Chinese figure with a magnitude (`misquoted`).
_PRICE = re.compile("[0-9]{2,}(?:[.][0-9]+)?"
                    "|[一二两三四五六七八九][零一二两三四五六七八九十百千万]*[十百千万][一二两三四五六七八九]?")
_DIGITS = {c: n for n, c in enumerate("零一二三四五六七八九")} | {"两": 2}
# `waited`: what tells a span gone by (四十分钟了, 一个半小时都没人理, 已经坐了五十分钟), and what makes it
# none (十分钟就到我了, 半小时左右, 一个小时的课).
_WAIT_AFTER = ("了", "都", "还", "也")
_WAIT_BEFORE = ("已经", "都", "整整", "足足", "快", "干坐了", "坐了", "站了", "耗了", "晾了")
_WAIT_CUED = ("等了", "排了", "等", "排")  # the wait cues' own (等了*分钟): not weighed twice
_SENTENCE_STOPS = "。！？!?"
# A verb with its potential complement denied, after 连…都 (连张发票都开不了, 连个人都找不到).
_UNABLE = "[\u4e00-\u9fff]{1,2}不[了好到清会动着]"


@dataclass(frozen=True)
class Grievances:
    """The grievance lists in force, compiled once per rule set."""

    words: Mapping[str, tuple[str, ...]]
    trigger: re.Pattern[str]
    _persistence: re.Pattern[str]
    _why: re.Pattern[str]
    _elapsed: re.Pattern[str]
    _misdeed: re.Pattern[str] | None
    _overcharge: re.Pattern[str] | None
    _aimed: re.Pattern[str] | None
    _staff: re.Pattern[str] | None
    _mistake: re.Pattern[str] | None
    _omission: re.Pattern[str] | None
    _scorn: re.Pattern[str] | None
    _late: re.Pattern[str] | None
    _told_late: re.Pattern[str] | None
    _irony: re.Pattern[str] | None
    spanning: re.Pattern[str] | None  # a grievance told over a sentence's clauses (`overrun`, `misquoted`)
    _appointed: re.Pattern[str] | None
    _advertised: re.Pattern[str] | None
    _charged: re.Pattern[str] | None
    # The patterns of `waited`, `unkept`, `unheeded` and `churned`, compiled when a message first needs
    # them (`_compiled`): a start-up pays only for the trigger.
    _waited: str | None
    _promise: str | None
    _outcome: str | None
    _told: str | None
    _unheeded: str | None
    _churn: str | None
    _churn_period: str | None
    reproaches: Reproaches

    @classmethod
    def build(cls, words: Mapping[str, tuple[str, ...]]) -> Grievances:
        def either(items: Sequence[str]) -> str:
            return "|".join(map(re.escape, sorted(set(items), key=longest_first))) or "(?!)"

        units, tries = either(words["durations"]), either(words["tries"])
        elapsed = compile_pattern(
            f"(?:(?:都|已经|快|整整|足足|第)*{_NUMBER}(?:个)?(?:多)?(?:{units})(?:多)?了"
            f"|都.{{0,4}}?{_NUMBER}(?:个)?(?:{units}|{tries})了"
            f"|(?<=[完了]){_NUMBER}(?:个)?(?:多)?(?:{units})(?=[^{_PUNCTUATION}]{{0,4}}(?:$|[{_PUNCTUATION}])|了|还|都|也|却))")
        persistence = compile_pattern(either(words["persistence"]))
        why = compile_pattern(f"(?:{either(words['why_words'])})")
        misdeed = compile_pattern(either(words["misdeeds"])) if words["misdeeds"] else None
        # Not 最多收几个 (most), 多收了我两百 (too much): a degree word before 多 makes it no overcharge.
        overcharge = (compile_pattern(f"(?<![最更很太好])(?:{either(words['overcharge'])})(?=了|我|{_NUMBER}|$)")
                      if words["overcharge"] else None)
        aimed = (compile_pattern(either(words["business"] + words["staff"]))
                 if words["business"] + words["staff"] else None)
        staff = compile_pattern(either(words["staff"])) if words["staff"] else None
        mistake = compile_pattern(either(words["mistakes"])) if words["mistakes"] else None
        omission = (compile_pattern(f"(?:也|都|从来)(?:不|没有|没)(?:提前|事先|及时)?(?:{either(words['omissions'])})")
                    if words["omissions"] else None)
        scorn = (compile_pattern(f"这(?:叫|算)?(?:什么|哪门子)(?:破|烂)?(?:{either(words['scorned'])})"
                                 f"(?=[啊呀嘛啦吧]*(?:$|[{_PUNCTUATION}]))"
                                 f"|这是什么(?:破|烂)?(?:{either(words['scorned'])})(?=[啊呀]+|[!！])|这算哪门子")
                 if words["scorned"] else None)
        late = compile_pattern(f"才(?:{either(words['late_arrivals'])})") if words["late_arrivals"] else None
        # A message is worth reading for grievances (segmented whole, every clause's moods read) only
        # when it may hold one: a persistence word with a negator or a bad turn after it in its piece,
        # a why with a turn after it, and so on. Most messages hold none (a search, no segmenting).
        bad = either(("没", "不", *words["bad_turns"], *words["negative"]))
        told_late = (compile_pattern(f"[了完][^{_PUNCTUATION}]{{0,4}}?才(?:{either(words['late_news'])})")
                     if words["late_news"] else None)
        praise, quoted = either(words["ironic_praise"]), "[^”\"」』’]{0,2}"
        irony = (compile_pattern(f"[“\"「『‘](?:(?:{praise}){quoted}|{quoted}(?:{praise}))[”\"」』’]")
                 if words["ironic_praise"] else None)
        optional = (misdeed, overcharge, mistake, omission, scorn, late, told_late, irony)
        # The agreed time (约的两点, 十一点的号) or the promised price (宣传的是199), before a later one.
        clock, agreed = _CLOCK.pattern, either(words["appointed"])
        appointed = (compile_pattern(f"(?:{agreed})[^{_PUNCTUATION}]{{0,4}}?(?={clock})"
                                     f"|(?<=点|半|刻|分|多)(?:{agreed})")
                     if words["appointed"] else None)
        advertised = (compile_pattern(f"(?:{either(words['advertised'])})[^{_PUNCTUATION}]{{0,8}}?({_PRICE.pattern})")
                      if words["advertised"] else None)
        charged = (compile_pattern(f"(?:{either(words['charged'])})[^{_PUNCTUATION}0-9]{{0,4}}?({_PRICE.pattern})")
                   if words["charged"] else None)
        # A span of minutes or hours (四十分钟, 一个半小时, 半个多小时) told gone by: see `_waits`.
        waited = f"(?:{_NUMBER}个?多?半?|半个?多?)(?:{either(words['wait_units'])})多?" if words["wait_units"] else None
        # A promise, and later in the sentence what came of it: a word of `outcomes`, or a span then 就
        # or 不到 (四十五分钟就喊我起来了, 三个月就没了, 五十分钟不到就下课).
        span_units = either(words["wait_units"] + words["durations"])
        promise = either(words["promises"]) if words["promises"] else None
        span_then = f"{_NUMBER}个?多?半?(?:{span_units})多?(?:不到|都不到)?就"
        outcome = f"(?:{either(words['outcomes'])})|{span_then}" if words["outcomes"] else None
        told = either(words["told"]) if words["told"] else None
        unheeded = either(words["unheeded"]) if words["unheeded"] else None
        churn = (f"(?:{either(words['churn_verbs'])})({_NUMBER})(?:{either(words['churn_measures'])})"
                 if words["churn_verbs"] and words["churn_measures"] else None)
        churn_period = (f"(?:{_NUMBER}|这|一|半|上|每)个?多?(?:{either(words['churn_periods'])})"
                        if words["churn_periods"] else None)
        # What may hold a wait or a change of people: a unit with 了/都/还/也 after it, a sitting or standing
        # before one (干坐了五十分钟), a change with a count (换了三个).
        triggers = []
        if waited is not None:
            units = either(words["wait_units"])
            triggers.append(f"(?:{units})多?[{''.join(_WAIT_AFTER)}]|[坐站耗晾]了[^{_PUNCTUATION}]{{0,5}}?(?:{units})")
        if churn is not None:
            triggers.append(churn)
        spanning = []
        # A promise or a word told, then a clause of the same sentence: `_unkept` and `_unheeded_after` read
        # that clause's own words (a short pattern: the trigger is compiled at every start-up).
        if promise is not None and outcome is not None:
            spanning.append(f"(?:{promise})[^{_SENTENCE_STOPS}]{{0,40}}?[{_PUNCTUATION}]")
        if told is not None and unheeded is not None:
            spanning.append(f"(?:{told})[^{_SENTENCE_STOPS}]{{0,30}}?[{_PUNCTUATION}]")
        if appointed is not None:
            spanning.append(f"(?:{appointed.pattern}).{{0,40}}?{clock}")
        if advertised is not None and charged is not None:
            spanning.append(f"(?:{advertised.pattern}).{{0,30}}?(?:{charged.pattern})")
        reproaches = Reproaches.build(words)
        trigger = compile_pattern("|".join(
            [reproaches.trigger, f"(?:{persistence.pattern})[^{_PUNCTUATION}]*?(?:{bad})",
             f"(?:{why.pattern})[^{_PUNCTUATION}]{{0,8}}?(?:{either(words['why_turns'])})",
             elapsed.pattern, f"连[^{_PUNCTUATION}]{{1,6}}?[都也](?:[不没]|{_UNABLE})"]
            + [p.pattern for p in optional if p is not None] + triggers + spanning))
        return cls(words, trigger, persistence, why, elapsed, misdeed, overcharge, aimed, staff, mistake,
                   omission, scorn, late, told_late, irony,
                   compile_pattern("|".join(spanning)) if spanning else None, appointed,
                   advertised, charged, waited, promise, outcome, told, unheeded, churn, churn_period, reproaches)

    def moods(self, folded: str, bounds: frozenset[int], negative: re.Pattern[str] | None, sentence: str,
              money: Sequence[str], wanted: frozenset[str], rhetorical: bool = False, asked: bool = False) -> set[str]:
        """The grievance moods of one clause (`folded`, its token `bounds`) among `wanted`;
        `sentence` is the text of its sentence (for staff named in another clause of it). A
        `rhetorical` clause (为什么不能退) is weighed as such, not as exasperated too."""
        moods: set[str] = set()
        if "persisting" in wanted and self._persists(folded, bounds, negative, money):
            moods.add("persisting")
        if "elapsed" in wanted and self._elapsed.search(folded):
            moods.add("elapsed")
        if wanted & {"exasperated", "aimed"} and not rhetorical:
            why = self._why_turn(folded, bounds)
            if why is not None:
                moods.add("exasperated")
                if self._aimed is not None and self._aimed.search(folded) and not self._own(folded, why):
                    moods.add("aimed")
        if "misconduct" in wanted and self._misconduct(folded, bounds, sentence):
            moods.add("misconduct")
        if "overcharged" in wanted and self._overcharge is not None and any(
                match.start() in bounds for match in self._overcharge.finditer(folded)):
            moods.add("overcharged")  # not 最多/收几个
        if "scornful" in wanted and self._scorn is not None and self._scorn.search(folded):
            moods.add("scornful")
        if "late" in wanted and (self._came_late(folded, bounds) or self._told_late_in(folded)):
            moods.add("late")
        if "ironic" in wanted and self._ironic(folded):
            moods.add("ironic")
        if "overrun" in wanted and self._overrun(folded, bounds, sentence):
            moods.add("overrun")
        if "misquoted" in wanted and self._misquoted(folded, sentence):
            moods.add("misquoted")
        if "waited" in wanted and self._waits(folded, bounds):
            moods.add("waited")
        if "unkept" in wanted and self._unkept(folded, bounds, sentence):
            moods.add("unkept")
        if "unheeded" in wanted and self._unheeded_after(folded, bounds, sentence):
            moods.add("unheeded")
        if "churned" in wanted and self._churned(folded, bounds, sentence):
            moods.add("churned")
        if wanted.intersection(REPROACH_MOODS) or "unheeded" in wanted:
            elapsed = "elapsed" in moods or self._elapsed.search(folded) is not None
            moods |= self.reproaches.moods(folded, bounds, sentence, wanted, asked, elapsed)
        return moods & wanted

    def _waits(self, folded: str, bounds: frozenset[int]) -> bool:
        """A span of minutes or hours told as gone by (坐了四十分钟了, 一个半小时都没人理, 排了快两个小时的队 is
        the wait cues'), not a quick turn (十分钟就到我了), an estimate (半小时左右) or a length (一个小时的课)."""
        if self._waited is None:
            return False
        for match in _compiled(self._waited).finditer(folded):
            if match.start() not in bounds:
                continue
            before, after = folded[: match.start()], folded[match.end() :]
            if before.endswith(_WAIT_CUED) or before.rstrip("快已经都整足").endswith(_WAIT_CUED):
                continue  # 等了四十分钟: the wait cues weigh it
            if after.startswith(("就", "左右", "以内", "之内", "内", "后", "以后", "之后", "的")):
                continue
            if after.startswith(_WAIT_AFTER) or before.endswith(_WAIT_BEFORE):
                return True
        return False

    def _unkept(self, folded: str, bounds: frozenset[int], sentence: str) -> bool:
        """What came of a promise of an earlier clause of the sentence, told in this one (说好的一个小时，
        四十五分钟就喊我起来了; 宣传页上写的无痛，这也叫无痛); not a question about the promise (说是能维持一年，
        是真的吗) nor the customer's own arrangement (我跟老师说好了…)."""
        if self._promise is None or self._outcome is None:
            return False
        start = sentence.find(folded)
        if start <= 0:
            return False
        earlier = sentence[:start]
        if not any(not re.search("我们?(?:跟|和)", earlier[max(m.start() - 6, 0) : m.start()])
                   for m in _compiled(self._promise).finditer(earlier)):
            return False
        asks = folded.rstrip("啊呀吧").endswith(("吗", "么", "呢"))
        for match in _compiled(self._outcome).finditer(folded):
            if match.start() not in bounds:
                continue
            said = match.group()
            if said == "才" and folded[match.end() : match.end() + 1] in ("能", "会", "可", "行"):
                continue  # 三天后才能拿: a time to come
            if asks and not said.endswith("叫"):
                continue  # a question about it, except 这也叫…？
            return True
        return False

    def _unheeded_after(self, folded: str, bounds: frozenset[int], sentence: str) -> bool:
        """The customer told someone of the business in an earlier clause of the sentence (跟师傅说了轻一点,
        反映两次了) and it still stands in this one (他还是那么重, 一点动静都没有); not told to their own child
        (跟孩子说了好几次，他还是不听), not a question, nor a routine kept (还是老时间)."""
        if self._told is None or self._unheeded is None:
            return False
        start = sentence.find(folded)
        if start <= 0 or folded.rstrip("啊呀吧").endswith(("吗", "么", "呢")):
            return False
        earlier = sentence[:start]
        own = self.words["own_subjects"]
        if not any(not re.search(f"(?:跟|和|给|对)(?:{'|'.join(map(re.escape, own))})[^{_PUNCTUATION}]{{0,3}}$",
                                 earlier[: m.start()])
                   for m in _compiled(self._told).finditer(earlier)):
            return False
        routine = self.words.get("routine", ())
        for match in _compiled(self._unheeded).finditer(folded):
            if match.start() in bounds and not folded.startswith(routine, match.end()) \
                    and not self._own(folded, match.start()):
                return True
        return False

    def _churned(self, folded: str, bounds: frozenset[int], sentence: str) -> bool:
        """People changed or handed on too often: 换了/转了 and a count of two or more, after a period in the
        clause (一学期换了三个老师) or with 都 after (转了三个人都没说清楚), or of three or more closed by 了 in a
        sentence that praises none (换了三个技师了，每个手法都不一样; not 换了三个技师了，这位手法最好); not the
        customer's own (我换了三家店)."""
        if self._churn is None:
            return False
        for match in _compiled(self._churn).finditer(folded):
            if match.start() not in bounds or match.group(1) in ("一", "1"):
                continue
            before = folded[: match.start()]
            if self._own(folded, match.start()) and not re.search("[给帮替为](?:孩子|我|我们|宝宝|女儿|儿子)$", before):
                continue
            after = folded[match.end() : match.end() + 5]
            if (self._churn_period is not None and _compiled(self._churn_period).search(before)) or "都" in after:
                return True
            closed = re.match(f"[^{_PUNCTUATION}]{{0,4}}了(?:$|[{_PUNCTUATION}])", after) is not None
            if closed and match.group(1) not in ("两", "2", "二") \
                    and not any(word in sentence for word in (*self.words["praise"], "最")):
                return True  # 换了三个技师了; not 换了两个班了, 换了三个了，这位最好
        return False

    def _overrun(self, folded: str, bounds: frozenset[int], sentence: str) -> bool:
        """A clock time told as passed beyond the agreed one of the sentence (约的两点，都快三点了;
        上课时间是七点，老师七点半才到); not the customer's own lateness (我十点半才到)."""
        if self._appointed is None:
            return False
        offset = sentence.find(folded)
        for late in _CLOCK.finditer(folded):
            before, after = folded[: late.start()], folded[late.end() :]
            if not (before.endswith(_LATE_BEFORE) or after.startswith(_LATE_AFTER)):
                continue
            if self._own(folded, late.start()) or "我" in folded[late.end() : late.end() + 2]:
                continue  # 我十点半才到, 孩子七点才到: the customer's own lateness
            agreed = _agreed_clock(self._appointed, sentence[: max(offset, 0) + late.start()])
            if agreed is not None and 0 < (_minutes(late) - agreed) % 720 <= 240:
                return True
        return False

    def _misquoted(self, folded: str, sentence: str) -> bool:
        """A price asked or charged other than the one promised before it in the sentence (宣传的是199
        到店变成了399, 电话里说的三千八，合同上怎么成了四千五), in the clause that tells the second."""
        if self._advertised is None or self._charged is None:
            return False
        start = max(sentence.find(folded), 0)
        end = start + len(folded)
        for promised in self._advertised.finditer(sentence):
            for charge in self._charged.finditer(sentence, promised.end()):
                if charge.group(1) != promised.group(1) and start <= charge.start(1) < end:
                    return True
        return False

    def _came_late(self, folded: str, bounds: frozenset[int]) -> bool:
        """Someone of the business, or the customer's turn, came only after a time told before 才:
        not in a question (九点才开门吗, 几点才到) nor before a modal or 要 (下周三才能出来, 要十点才开始),
        nor the customer's own lateness (我十点半才到)."""
        if self._late is None or "才" not in folded or folded.rstrip("啊呀吧").endswith(("吗", "么", "呢")):
            return False
        for match in self._late.finditer(folded):
            before = folded[: match.start()]
            if (match.start() in bounds or match.start() + 1 in bounds) and _TIME_BEFORE.search(before) \
                    and not re.search("几|多久|什么时候|要|得|会|能", before[-6:]) \
                    and folded[match.end() : match.end() + 1] not in ("能", "会", "可") \
                    and not self._own_lateness(before):
                return True
        return False

    def _told_late_in(self, folded: str) -> bool:
        """News the business told only after the fact (钱都交了才告诉我), not the customer's own (孩子吃完饭才说)."""
        if self._told_late is None or "才" not in folded:
            return False
        return any(not self._own(folded, match.start()) for match in self._told_late.finditer(folded))

    def _ironic(self, folded: str) -> bool:
        """Praise in quotation marks that no verb of saying opens (真够“负责”的), not speech (老师说“…”)."""
        if self._irony is None:
            return False
        return any(_SAYING.search(folded[max(match.start() - 4, 0) : match.start()]) is None
                   for match in self._irony.finditer(folded))

    def _own_lateness(self, before: str) -> bool:
        """The customer or their child is who came at that time (我十点半才到, 孩子七点才来): the
        time before 才 stands right after one of `own_subjects`."""
        spans = list(_TIME_BEFORE.finditer(before))
        return bool(spans) and before[: spans[-1].start()].rstrip(_PARTICLES).endswith(self.words["own_subjects"])

    @staticmethod
    def may_heal(folded: str) -> bool:
        """A cheap first look for `healing`: a negator before a resolution verb at all."""
        return _UNHEALED.search(folded) is not None

    def healing(self, folded: str, bounds: frozenset[int], money_named: bool) -> bool:
        """A symptom not gone yet (还没消, 一直没褪, 肿还没退 where the message names no money): a
        report. The verb stands alone or before 肿/下去/掉 (还没消肿), not in 消息."""
        for match in _UNHEALED.finditer(folded):
            if (match.end() in bounds or folded[match.end() : match.end() + 1] in "肿下掉") \
                    and (match.group(1) != "退" or not money_named):
                return True
        return False

    def _own(self, folded: str, at: int) -> bool:
        """The customer or their child is the subject: the clause opens with one, or one stands
        right before `at` (我又忘了, 孩子还是不会)."""
        own = self.words["own_subjects"]
        before = folded[:at].rstrip(_PARTICLES)
        if "被" in before:
            return False  # 孩子被前台吼了: the customer's side suffered the deed
        if before and before.endswith(own):
            return True
        # 孩子上课一直在玩手机 is the child's; 孩子说助教一直在玩手机 is the staff's, 孩子的教材还是没发 the school's.
        opener = next((word for word in sorted(own, key=len, reverse=True) if folded.startswith(word)), None)
        return (opener is not None and folded[len(opener) : len(opener) + 1] != "的"
                and not (self._aimed is not None and self._aimed.search(before)))

    def _persists(self, folded: str, bounds: frozenset[int], negative: re.Pattern[str] | None,
                  money: Sequence[str]) -> bool:
        for match in self._persistence.finditer(folded):
            start, end = match.span()
            if start not in bounds or end not in bounds or self._own(folded, start):
                continue
            if folded[:start].endswith(self.words["why_words"]):
                continue  # 怎么又涨价了: the why-question weighs it (`exasperated`)
            if self._bad_after(folded[end:], negative) and not self.healing(
                    folded, bounds, any(word in folded for word in money)):
                return True
        return False

    def _bad_after(self, rest: str, negative: re.Pattern[str] | None) -> bool:
        words = self.words
        for i, char in enumerate(rest):
            if char in "没不" and not rest.startswith(words["not_bad"], i):
                return True
        return (any(word in rest for word in words["bad_turns"])
                or (negative is not None and negative.search(rest) is not None))

    def _why_turn(self, folded: str, bounds: frozenset[int]) -> int | None:
        """Where a why-word stands that a turn of `why_turns` follows within eight characters."""
        turns = self.words["why_turns"]
        for match in self._why.finditer(folded):
            if match.start() not in bounds:
                continue
            rest = folded[match.end() : match.end() + 8]
            for i in range(len(rest)):
                if match.end() + i not in bounds:
                    continue
                if rest.startswith(self.words["not_bad"], i):
                    break  # 怎么还没: the first turn is weighed by another cue, or is none
                if rest.startswith(turns, i):
                    return match.start()
        return None

    def _misconduct(self, folded: str, bounds: frozenset[int], sentence: str) -> bool:
        if self._misdeed is not None:
            for match in self._misdeed.finditer(folded):
                before = folded[: match.start()]
                if match.start() not in bounds or match.end() not in bounds or self._own(folded, match.start()):
                    continue  # 化妆师 is no 化妆
                if "在" in before or (self._staff is not None and self._staff.search(sentence)):
                    return True
        if self._mistake is not None and self._aimed is not None and self._aimed.search(folded):
            for match in self._mistake.finditer(folded):
                if match.start() in bounds and not folded[: match.start()].rstrip(_PARTICLES).endswith("我"):
                    return True  # 前台把我名字登记错了; not 我记错了
        for match in re.finditer(f"连(.{{1,6}}?)[都也](?:不|没|{_UNABLE})", folded):
            if not self._own(folded, match.start()):
                return True
        if self._omission is not None:
            for match in self._omission.finditer(folded):
                if match.start() in bounds and not self._own(folded, match.start()):
                    return True  # 换班也不提前通知; not 我也没告诉她
        return False


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """A pattern compiled when first used, once a process."""
    return compile_pattern(pattern)


def _agreed_clock(appointed: re.Pattern[str], text: str) -> int | None:
    """Minutes (on a twelve-hour dial) of the last agreed clock time in `text`: the one after a
    marker (约的两点) or right before one (十一点的号)."""
    agreed = None
    for mark in appointed.finditer(text):
        clock = _CLOCK.match(text, mark.end())
        if clock is not None:
            agreed = _minutes(clock)
            continue
        prior = [c for c in _CLOCK.finditer(text, 0, mark.start()) if c.end() == mark.start()]
        if prior:
            agreed = _minutes(prior[-1])
    return agreed


def _number(text: str) -> int:
    """A small figure in digits or Chinese: 9, 十一, 四十, 二十五."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS.get(ones, 0) if ones else 0)
    return _DIGITS.get(text, 0)


def _minutes(clock: re.Match[str]) -> int:
    """A clock time as minutes on a twelve-hour dial (两点半 -> 150; 14:30 -> 150)."""
    if clock.group(3) is not None:
        return int(clock.group(3)) % 12 * 60 + int(clock.group(4))
    hour = _number(clock.group(1)) % 12
    part = (clock.group(2) or "").rstrip("分")
    minutes = {"": 0, "半": 30, "一刻": 15, "三刻": 45, "多": 10}.get(part)
    if minutes is None:
        minutes = _number(part.lstrip("零"))
    return hour * 60 + minutes
