"""Complaints told through a grievance, not a complaint word: an operator's complaint rule hears them
through the shipped cues (bot/tagging/concepts.py DEFAULT_CUES); praise, neutral repetition, the
customer's own fault and a question about a procedure stay untagged."""

from __future__ import annotations

import pytest

from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import parse_rules
from tests.support.tagging import tags

COMPLAINT = '[[keyword]]\ntag = "诉求:投诉"\nkeywords = ["投诉"]\n'


def operator() -> KeywordTagger:
    return KeywordTagger(parse_rules(COMPLAINT))


@pytest.mark.parametrize("text", ["店里的服务一次比一次差", "这家的菜真是一年不如一年", "接送的司机也太不小心了吧",
                                  "前台天天打电话，一天打三回，烦不烦"])
def test_a_decline_or_an_exclamation_complains(text: str) -> None:
    assert tags(operator(), text) == {"诉求:投诉"}
    assert tags(KeywordTagger(parse_rules(COMPLAINT + "expand = false\n")), text) == set()


@pytest.mark.parametrize("text", ["孩子的字一天比一天好看了", "我太粗心了，钥匙落在店里了", "今天作业多不多呀",
                                  "你们烦不烦我不知道，反正我挺喜欢的"])
def test_the_same_words_without_a_grievance_do_not(text: str) -> None:
    assert tags(operator(), text) == set()


@pytest.mark.parametrize("text", [
    "你们前台的座机一直占线",  # a bad state that persists, and a busy line
    "报名都三周了，教材还是没寄到",  # time gone by, and still not done
    "今天保洁阿姨怎么又没来",  # a why at the business's people
    "你们的停车券怎么又不能用了",  # a why at the business
    "陪诊的护士全程都在玩手机",  # staff idle at work
    "派来的师傅连水管都不会接",  # not up to the simplest task
    "收银员把我的卡号登记错了",  # a mistake of the business's people
    "月底对账发现多扣了我三百",  # a padded bill
    "停课了也不提前通知一下",  # left uninformed
    "那个师傅干活的时候一直在骂人",  # worse than idle
    "当初说好的包接送，开学两周了还是要自己送",  # a promise recalled, two weeks gone by
    "孩子练了半年游泳，还是不敢下水",  # half a year spent, and still nothing
])
def test_a_grievance_told_without_a_complaint_word_complains(text: str) -> None:
    assert tags(operator(), text) == {"诉求:投诉"}


@pytest.mark.parametrize("text", [
    "老师又夸孩子作文写得好了",  # praise repeated
    "你们家又上新课了吗",  # neutral news, asked
    "我又把停车票弄丢了，还能补吗",  # the customer's own fault
    "孩子还是不太会系鞋带",  # the child's own state
    "为什么做完要冰敷呀",  # a why about a procedure
    "化妆师几点到",  # 化妆 inside 化妆师 is no idle act
    "一个班最多收几个学生",  # 多收 inside 最多/收 is no overcharge
    "做完五天了，红印到现在还没消",  # a symptom not gone yet is reported, not complained of
    "我记错日子了，不好意思",  # the customer's own mistake
    "我也没告诉她要带毛巾",  # the customer left someone else uninformed
    "当初说好的周六见，我准时到",  # a promise recalled and kept
    "车开了几天已经没有异响了",  # the days only time what follows: it passed
])
def test_the_same_shapes_without_a_grievance_do_not(text: str) -> None:
    assert tags(operator(), text) == set()


def test_an_operator_turns_a_grievance_off_or_widens_its_words() -> None:
    idle = "陪诊的护士全程都在玩手机"
    off = KeywordTagger(parse_rules(COMPLAINT + '[keyword.cues]\n"mood:misconduct" = 0\n'))
    assert tags(off, idle) == set()
    assert tags(operator(), "理疗师全程在嗑瓜子") == {"诉求:投诉"}
    own = '[language]\nmisdeeds = ["嗑瓜子", "织毛衣"]\n' + COMPLAINT
    assert tags(KeywordTagger(parse_rules(own)), "理疗师全程在织毛衣") == {"诉求:投诉"}
    assert tags(KeywordTagger(parse_rules(own)), idle) == set()


def test_a_padded_bill_also_asks_for_the_money_back() -> None:
    refund = '[[keyword]]\ntag = "诉求:退款"\nkeywords = ["退款"]\n'
    assert tags(KeywordTagger(parse_rules(COMPLAINT + refund)), "结账时多算了我两晚房费") == {"诉求:投诉", "诉求:退款"}


@pytest.mark.parametrize(("text", "expected"), [
    ("上个月投诉的那件事，店长当面解释过了，翻篇了", set()),  # a matter settled after it: passed
    ("我要投诉你们前台，这事翻篇不了", {"诉求:投诉"}),
])
def test_a_complaint_settled_is_none(text: str, expected: set[str]) -> None:
    assert tags(operator(), text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("就怕交了钱跟没学一样", set()),  # a grievance feared is not one told
    ("担心到时候等了一个小时都没人理", set()),
    ("交了钱跟没学一样", {"诉求:投诉"}),
    ("等了一个小时都没人理", {"诉求:投诉"}),
])
def test_a_grievance_feared_weighs_no_cue(text: str, expected: set[str]) -> None:
    assert tags(operator(), text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("天天推送活动，烦死了，别发了", {"状态:退订"}),  # the annoyance is the reason for the opt-out
    ("课上了半年一点用没有，你们也别再发消息了", {"诉求:投诉", "状态:退订"}),  # a grievance about something else
    ("别再打电话推销年卡了，前台态度还那么冲", {"诉求:投诉", "状态:退订"}),
    ("天天推送活动，烦死了", {"诉求:投诉"}),  # no opt-out asked
])
def test_a_complaint_of_cues_about_the_messages_yields_to_the_opt_out(text: str, expected: set[str]) -> None:
    opt_out = '[[keyword]]\ntag = "状态:退订"\nkeywords = ["退订", "别发了"]\n'
    assert tags(KeywordTagger(parse_rules(COMPLAINT + opt_out)), text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("停车费多收了我二十，麻烦退回来", {"诉求:退款"}),  # the money asked back: the padded bill is its reason
    ("月卡重复扣了两次，多的那笔退给我吧", {"诉求:退款"}),
    ("物业费多算了我一个月，说了三遍都不改，退给我", {"诉求:投诉", "诉求:退款"}),  # another grievance still complains
    ("停车费多收了我二十", {"诉求:投诉", "诉求:退款"}),  # no money asked back: the cue weighs for both
])
def test_a_padded_bill_whose_money_is_asked_back_is_the_refund_s(text: str, expected: set[str]) -> None:
    refund = '[[keyword]]\ntag = "诉求:退款"\nkeywords = ["退款"]\n'
    assert tags(KeywordTagger(parse_rules(COMPLAINT + refund)), text) == expected


def test_a_complaint_its_cues_would_give_takes_their_clauses(tagger: KeywordTagger) -> None:
    # 失望 fires the complaint; 说好 and 到现在 would have alone, so the offer they name asks no price.
    assert tags(tagger, "说好的满减到现在也没给我算上 太失望了") == {"诉求:投诉"}
    assert tags(tagger, "满减怎么算的 我有点失望") >= {"关注:价格"}


@pytest.mark.parametrize("text", [
    "这什么前台啊，问个路都爱答不理",  # scornful: 这什么 before what the business is
    "这叫什么售后",
    "这算哪门子专业机构",
    "这是什么服务啊",  # 这是什么 with an exclamation after it
    "约的十点半，十二点多才轮到我",  # late: a turn that came only after a time
    "九点的课，教练九点半才出现",
    "交完资料等到下午才有人处理",
    "我结账时被收银员吼了",  # what was done to the customer is no deed of theirs
    "孩子被助教骂了一顿",
])
def test_scorn_lateness_and_a_deed_suffered_complain(text: str) -> None:
    assert tags(operator(), text) == {"诉求:投诉"}


@pytest.mark.parametrize("text", [
    "这是什么课，几岁能学",  # 这是什么 that asks
    "这叫什么名字的项目",
    "这什么情况，要不要紧",  # 情况 is none of `scorned`
    "明早九点才开门吗",  # a question
    "体检报告要周四才能出来吧",  # a time to come
    "我们六点才下班，晚上还有位置吗",  # 下班 is none of `late_arrivals`
    "孩子被老师夸了，开心得不得了",  # suffered, but no misdeed
])
def test_the_same_words_without_scorn_or_lateness_do_not(text: str) -> None:
    assert tags(operator(), text) == set()


def test_an_operator_weighs_scorn_and_lateness_by_name() -> None:
    off = KeywordTagger(parse_rules(COMPLAINT + '[keyword.cues]\n"mood:scornful" = 0\n"mood:late" = 0\n'))
    assert tags(off, "这什么服务啊") == set()
    assert tags(off, "教练九点半才出现") == set()
    own = '[language]\nscorned = ["售后", "客服"]\n' + COMPLAINT
    assert tags(KeywordTagger(parse_rules(own)), "这什么客服") == {"诉求:投诉"}
    assert tags(KeywordTagger(parse_rules(own)), "这什么服务") == set()


@pytest.mark.parametrize("text", [
    "约的是下午三点，都快四点了还坐在这",  # the agreed hour, then a later one told as passed
    "说好九点半上门，十点多了人还没来",  # 多 past the hour
    "预约的十一点，十二点一刻才叫到我",  # across noon on a twelve-hour dial
    "四点的号，等到五点才进去",  # the agreed hour right before 的号
])
def test_an_agreed_time_overrun_complains(text: str) -> None:
    assert tags(operator(), text) == {"诉求:投诉"}


@pytest.mark.parametrize("text", [
    "约的三点，我两点半就到了",  # earlier than agreed
    "约的十点，我十点半才到，不好意思",  # the customer's own lateness
    "四点的课能挪到五点吗",  # a move asked, no hour passed
    "孩子六点下课，七点我来接",  # no agreed hour
])
def test_clock_times_without_an_overrun_do_not(text: str) -> None:
    assert tags(operator(), text) == set()


@pytest.mark.parametrize("text", [
    "小程序上写的128，到了店里又要188",
    "广告宣传的一千二，签合同变成了一千六",
    "前台说好的两百八，刷卡刷了三百五",
    "电话里说两百八，到店收三百二",  # what the business once said of it, then 收
    "当初说好399一次，现在收499",
])
def test_a_price_other_than_the_one_promised_complains(tagger: KeywordTagger, text: str) -> None:
    assert tags(operator(), text) == {"诉求:投诉"}
    assert tags(tagger, text) == {"诉求:投诉"}  # the shipped rules: no price asked either


@pytest.mark.parametrize("text", ["海报上的128套餐还能买吗", "会员价是128还是158", "写的128，就是128对吧",
                                  "一节课收150还是180", "当初说299，就是299吗"])
def test_prices_named_without_a_different_charge_ask_the_price(tagger: KeywordTagger, text: str) -> None:
    assert "诉求:投诉" not in tags(tagger, text)


def test_an_operator_names_the_agreed_time_and_the_promise_in_language() -> None:
    late = "订的两点，都快三点了"
    assert tags(operator(), late) == set()  # 订的 is not among the shipped `appointed` words
    own = '[language]\nappointed = ["约的", "订的"]\n' + COMPLAINT
    assert tags(KeywordTagger(parse_rules(own)), late) == {"诉求:投诉"}
    off = KeywordTagger(parse_rules(COMPLAINT + '[keyword.cues]\n"mood:overrun" = 0\n"mood:misquoted" = 0\n'))
    assert tags(off, "约的两点，都快三点了") == set()
    assert tags(off, "宣传的是199，到店变成了399") == set()


@pytest.mark.parametrize("text", [
    "报了名才告诉我周末班满了",  # news told only after the fact
    "疗程做完了才通知要另外买药",
    "助教可真够“耐心”的",  # praise in quotation marks that nobody says: irony
    "这效果可太“明显”了",
])
def test_news_told_late_and_ironic_praise_complain(text: str) -> None:
    assert tags(operator(), text) == {"诉求:投诉"}


@pytest.mark.parametrize("text", [
    "女儿放学了才跟我说作业没带",  # the customer's child told it late
    "我到门口了才想起来没带卡",  # no news
    "班主任说“这次进步很大”",  # speech in quotation marks
    "我们报的是“快乐英语”那个班",  # a name
])
def test_late_news_of_their_own_and_quotations_that_are_no_irony(text: str) -> None:
    assert tags(operator(), text) == set()


@pytest.mark.parametrize("text", [
    "挂号的时候说十分钟就能看上，我这都坐了快一个小时了",  # a promise recalled, a wait told
    "说是一对一辅导，去了才发现是四个孩子一起上",  # unkept: 说是, then 才
    "号称名师授课，结果来的是个实习生",  # unkept: 号称, then 结果
    "体验课说好四十分钟，二十分钟就让孩子下课了",  # unkept: a span then 就
    "宣传册上写着零添加，这也叫零添加？",  # unkept, and 这也叫
    "跟护士说了针扎歪了，她还是照样扎",  # unheeded: told, and 还是
    "上周就反映了空调漏水，到今天还是滴个不停",  # unheeded: 反映, and 还是
    "半个学期换了三任班主任",  # churned: a period, then 换了 and a count
    "打电话咨询，转了四个人都说不清楚",  # churned: 转了 and a count with 都
    "在候诊室干坐了四十分钟了，到底还要等多久",  # waited, and 到底
    "一个半小时都没人过来招呼",  # waited, and 都没
])
def test_a_promise_unkept_a_request_unheeded_or_people_changed_complain(text: str) -> None:
    assert tags(operator(), text) == {"诉求:投诉"}


@pytest.mark.parametrize("text", [
    "说是效果能维持一年，是真的吗",  # a question about the promise, before buying
    "说好的周六上午，我到时候直接过去",  # a promise kept
    "我跟老师说好了周六补课，实际上孩子周五就放假了",  # the customer's own arrangement
    "跟前台说了一声，她马上帮我调了时间",  # heeded at once
    "跟老师说了周五不来，还是按原来的时间补课吗",  # told, then asked
    "我跟孩子说了，他还是想去学游泳",  # told to the customer's own child
    "孩子换了两个班，现在这个挺适应的",  # no period, no 都: the family's own choice
    "我换了三家店才找到你们",  # the customer's own search
    "一个钟是多少分钟",  # a neutral question about time
    "今天坐了十分钟就轮到我了",  # a quick turn
    "一个小时的课中间休息吗",  # a length, not a wait
    "这个药膏没什么用吧",  # one point: a doubt, no complaint
    "练了两周，体能已经有一点提高了",  # a little result: praise
    "我从来不回陌生号码",  # the customer's own habit
    "换了三个理疗师了，这位手法最好",  # the right one found at last
    "孩子换了两个兴趣班了",  # two changes, the family's own
])
def test_promises_requests_changes_and_waits_without_a_grievance_do_not(text: str) -> None:
    assert tags(operator(), text) == set()


@pytest.mark.parametrize("text", [
    "你们这收费标准讲不讲道理",  # a challenge that asks nothing
    "当我不懂是吧",
    "你们是把家长当提款机吧",
    "前台对家长爱答不理的",  # the staff's manner
    "班主任全程心不在焉",
    "你们技师态度能不能好一点",  # a demand that the manner change
    "老师对孩子太凶了",  # 对: the child is the one treated so, not the one judged
    "艾灸做了四次，一点用都没有",  # a result no better than nothing
    "补了一个学期，口语一点提高也没有",  # no result at all, denied after 一点
    "一周的作业量排满整个周末，这合理吗",  # fairness challenged
    "助教从来不批改孩子的练习册",  # a duty never done
    "换了四个理疗师了，没一个找得准穴位",  # people changed, a count of three or more closed by 了
])
def test_a_challenge_or_the_staffs_manner_complains(text: str) -> None:
    assert tags(operator(), text) == {"诉求:投诉"}


def test_an_operator_weighs_the_new_grievances_by_name() -> None:
    promise = "号称名师授课，结果来的是个实习生"
    off = KeywordTagger(parse_rules(COMPLAINT + '[keyword.cues]\n"mood:unkept" = 0\n'))
    assert tags(off, promise) == set()
    own = '[language]\npromises = ["吹的是"]\n' + COMPLAINT
    assert tags(KeywordTagger(parse_rules(own)), "吹的是名师授课，结果来的是个实习生") == {"诉求:投诉"}
    assert tags(KeywordTagger(parse_rules(own)), promise) == set()
    churn = "半个学期换了三任班主任"
    assert tags(KeywordTagger(parse_rules(COMPLAINT + '[keyword.cues]\n"mood:churned" = 0\n')), churn) == set()
