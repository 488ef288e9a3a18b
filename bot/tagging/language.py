"""What a clause does besides naming things: its mood, and the words that shift a keyword's meaning.

A keyword hit is read together with its clause. A clause can ask (吗, 呢, A-not-A: 能不能, 痛不痛,
可以退不), suppose (如果, 万一), worry (担心, 怕), report what others said (听说, 朋友说), expect
(会, 可能), be rhetorical (凭什么, 难道, 不是…吗), be put off (…下个月再说, 先考虑一下), say that
something has passed (已经消了, 全退了, 消下去了: a resolution verb and its complement), that it was
already done or done elsewhere (已经约了, 约过, 在别家) or praise (态度很好). Rules require or
exclude these moods (`mood`, `not_mood`); the marker words are operator data with defaults here,
replaced per list by `[language]` in the rules file.

Markers are found in the clause text but count only on token boundaries (服了 is not inside
舒服了, 会 not inside 会员); a marker may hold `*`, a gap of up to three characters (听*说).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from bot.tagging.conditions import conditions, is_premise, supposes_availability
from bot.tagging.first_chars import FirstCharSearch
from bot.tagging.grievance import DEFAULT_GRIEVANCE, GRIEVANCE_MOODS, Grievances
from bot.tagging.script import trie_regex

MOODS = (
    "statement",  # none of the others
    "question",  # a yes/no question: 吗, 呢, A-not-A, a bare ？ without a question word
    "hypothetical",  # 如果, 万一 ... and the rest of that sentence
    "available",  # a condition on the business's state (还有位置的话, 在的话): no hypothetical
    "topic",  # names only what the question after it asks about (物理小班和一对一，效果上差别大吗)
    "relayed",  # someone else's question or wish passed on (我表妹在问你们家地址): theirs, not the customer's
    "premise",  # the customer's own act supposed before a question (现在报名的话哪天能开始上): no hypothetical
    "running_late",  # late or early for what stands (预约可能要晚到十分钟): the sentence books nothing new
    "worry",  # 担心, 怕 ... and the rest of that sentence
    "hearsay",  # 听说, 朋友说 ... and the rest of that sentence, unless a clause there starts with 我
    "experienced",  # the keyword with the aspect 过 (投诉过, 退过款): once done, told as experience
    "reversed",  # 本来想请假的，后来想想还是去吧: a plan given up in a later clause of the message
    "accepted",  # 这个价位我们能接受, 价格方面没什么问题: a sentence that accepts what it names and asks nothing
    "attending",  # a visit that keeps what stands (照常过来上课, 过去考试, 到时候直接过去): no new booking
    "third_party",  # in a `referring` clause, after the one who also wants it: their visit, not the customer's
    "accompanying",  # someone comes as the customer's company (老公陪我一起过来, 朋友在旁边等我): no referral
    "referring",  # someone else wants it too (邻居家小孩也想来学画画, 我侄女也想学): see `also`, `also_wants`
    "named",  # the keyword names a thing (退款政策, 预约系统) in a clause that neither asks nor wishes
    "quoted",  # inside a quotation a verb of saying opens (她说“我要投诉你们”): someone's words, not the customer's
    "reported",  # the clause itself reports someone else's words (前台说周六约满了, 客服昨天说可以退): not carried on
    "expectation",  # 会, 可能, 一般: what may happen, not what did
    "rhetorical",  # 凭什么, 难道, 不是…吗: a negator in it does not negate
    "deferred",  # 再说, 考虑一下 ... in this clause or a later one of the message
    "passed",  # 已经消了, 全退了 ... after the keyword, in its sentence
    "done",  # 已经, 之前, 在别家, 约过, 约好的: what the keyword names was done already, or elsewhere
    "praised",  # 很好, 不错, 专业 ... in the clause, not negated
    "rescheduled",  # 改到, 改期, 挪到, 换个时间: something already arranged is being moved
    "mild",  # 一般, 还行, 凑合 closing the clause: a lukewarm judgement, not a complaint
    "settled",  # 不用/不必 … after 已经…了 in the sentence: no longer needed because it is done
    "negative",  # an intensifier right before a negative word (太慢, 真冤, 也太冲了), not negated
    "asking",  # a question word in the clause (多少, 什么时候, 哪): the customer asks something
    "remedy",  # the sentence asks whether a service treats a condition (你们的修复能解决吗) and tells no treatment done
    "chronic",  # a condition held before (我腰本来就疼, 颈椎不舒服好几年了): the reason to come, no reaction
    "self_judged",  # the keyword is a strong judgement (太差) of the customer's own (孩子数学太差, 我忍痛能力很差)
    "payment",  # a payment handled (交了, 转账, 收据, 发票, 报销) in a sentence that asks no amount
    "request",  # a wish or a request in the clause (想, 希望, 帮我, 麻烦, 可以…), not negated
    *GRIEVANCE_MOODS,  # ways of complaining without a complaint word (bot/tagging/grievance.py)
)
# What an `intent = true` rule needs in its clause: a question, a question word, or a request.
INTENT_MOODS = frozenset({"question", "asking", "request"})
# Rules that negation cancels (intents, requests, reports) leave these moods out by default.
DEFAULT_NOT_MOOD = ("hypothetical", "worry", "deferred", "passed", "praised", "settled", "named", "experienced",
                    "quoted", "reversed")

DEFAULT_LANGUAGE: dict[str, tuple[str, ...]] = {
    "question_particles": ("吗", "么", "嘛", "呢", "不", "没"),
    # 「有点肿，正常吗」 asks about a report, it does not turn it into a question.
    "report_questions": ("正常", "要紧", "没事", "有事", "严重", "有问题", "怎么回事"),
    "question_words": ("多少", "几", "什么", "怎么", "怎样", "哪", "哪里", "哪儿", "谁", "为什么", "为啥",
                       "啥", "多久", "多长", "咋", "如何", "几点", "几号"),
    # A condition that is only politeness (有空的话想过去看看, 方便的话帮我约周六): its 的话 supposes nothing.
    "polite": ("有时间的话", "有空的话", "方便的话", "可以的话", "有机会的话", "不忙的话", "顺路的话", "合适的话"),
    "hypothetical": ("如果", "万一", "要是", "假如", "假设", "倘若", "一旦", "的话", "如若", "若是", "要不是"),
    # A condition on the business's own state (还有位置的话, 在的话, 不多的话) leaves a visit wished: the clause is
    # `available`, not `hypothetical` (bot/tagging/conditions.py). A word of one character or a denial (在, 有,
    # 不多) counts only as the whole condition or after a person of the business (王医生在的话).
    # The customer's own act as a whole condition before a question (现在报名的话哪天能开始上): a premise.
    "premises": ("报名", "报班", "报", "预约", "约", "办卡", "充值", "参加", "试听", "上课", "过来", "过去"),
    "availability": ("有位置", "有位子", "有位", "有空位", "空位", "有空", "空着", "有号", "有名额", "名额", "排上",
                     "排得上", "排进去", "排得进", "约上", "约得上", "能约", "可以约", "约到", "有医生", "有师傅",
                     "有老师", "有技师", "有人", "开门", "营业", "人少", "人不多", "不挤", "在", "有", "开", "行",
                     "不多", "不满"),
    # Running late or early for what is already arranged (我那个预约可能要晚到十分钟, 接孩子会晚二十分钟): the whole
    # sentence is `running_late`, logistics of a visit that stands, no new booking; not in a sentence that moves it.
    "lateness": ("晚到", "晚点到", "晚一点到", "晚些到", "晚一会", "晚一会儿", "晚*分钟", "晚一刻钟", "晚半小时",
                 "晚半个小时", "晚个把小时", "会晚", "要晚", "得晚", "会迟到", "要迟到", "迟到*分钟", "迟些到",
                 "提前*分钟到", "早*分钟到"),
    "worry": ("担心", "怕", "害怕", "恐怕", "生怕", "就怕", "顾虑", "纠结", "不知道会"),
    # Someone else's report, not the customer's own: 朋友说做完会红, 网上都说, 听同事说.
    "hearsay": ("听说", "据说", "听*说", "听*讲", "传说", "都说", "有人说", "别人说", "人家说", "网上说", "朋友说",
                "朋友讲", "闺蜜说", "同事说", "同事讲", "同学说", "家人说", "我妈说", "妈妈说", "老公说", "孩子说",
                "她说", "他说", "她们说", "他们说", "大家说", "博主说", "上说", "里说", "医生说", "护士说"),
    # Whose words are the customer's own case, neither `hearsay` nor `reported`, and whose strong judgement
    # is the customer's: 孩子说老师上课好凶 complains.
    "own_speakers": ("孩子", "儿子", "女儿", "宝宝", "娃", "小孩", "我家孩子", "我儿子", "我女儿", "小朋友"),
    # Whoever else may be reported: each also makes hearsay as `<speaker>*说` or `<speaker>*讲` (客服昨天说可以
    # 随时退, 前台说周六约满了), unless the customer speaks to them (跟老师说一声, 帮我和前台讲).
    "speakers": ("客服", "老师", "前台", "顾问", "医生", "护士", "店长", "经理", "工作人员", "咨询师", "美容师",
                 "教务", "班主任", "校长", "助教", "店员", "销售", "朋友", "闺蜜", "同事", "同学", "家长", "邻居",
                 "亲戚", "老公", "老婆", "我妈", "妈妈", "我爸", "爸爸", "孩子", "我姐", "姐姐", "表姐", "表妹",
                 "老板", "她", "他", "人家", "别人", "有人", "网友"),
    # Already done, or done elsewhere: counts anywhere in the clause, or right after a keyword that
    # it extends (约好的, 预约过); intent rules leave it out (已经在别家约了, 上个月预约过).
    "done": ("已经", "早就", "早已", "之前", "上次", "以前", "上回", "上个月", "上周", "上礼拜", "上星期",
             "别家", "别的店", "其他家",
             "别的地方", "别处", "约好的", "约过", "预约过", "预约好了", "约好了", "预约成功", "约上了", "定好的",
             "订好的"),
    # Said right after a keyword, an aspect that makes it done (我约的是周三, 约了明天上午, 预约了三次):
    # 了 with more after it (a closing 了 announces: 今天请假了), 的 anywhere; not in a clause that
    # asks yes or no or wishes (想约的, 能约的有哪些).
    "done_aspects": ("了", "的"),
    # A keyword ending in a result complement is done the same way (约好十点，结果十一点才做).
    "done_complements": ("好",),
    "expectation": ("会", "可能", "可能会", "容易", "一般", "通常", "应该会", "总会", "会不会"),
    "rhetorical": ("难道", "凭什么", "凭啥", "怎么就", "为什么不", "为啥不", "怎么能", "哪能", "岂", "何必",
                   "怎么可以不"),
    "deferral": ("再说", "再看", "再考虑", "再联系", "再决定", "再商量", "再议", "考虑考虑", "考虑一下",
                 "先放", "放一放", "先放放", "不急", "不着急", "不用急", "就算了", "回头再", "到时候再",
                 "改天再", "以后再", "下次再", "有空再", "过段时间", "过阵子", "等*再", "下个月再",
                 "明年再", "年后再", "之后再", "后面再", "晚点再", "过两天再", "过几天再", "回来再", "完再", "了再"),
    "resolved": ("消了", "退了", "好了", "没了", "褪了", "消失", "消退", "痊愈", "不见了", "消肿", "恢复了",
                 "好多了", "退掉了", "看不出来", "看不出", "不明显了", "没有了", "恢复正常", "正常了", "看不到了",
                 "看不见了", "已经到账", "已到账", "全消", "全退", "全好", "全没了", "都消", "都退", "都好了", "早消",
                 "早好了", "早就好了", "搞定了", "处理好了", "补上了", "补好了", "没感觉了", "没什么感觉了",
                 "感觉不到了"),
    # Also resolved: any of these verbs followed by any of these complements (消下去了, 退干净了, 散了,
    # 缓过来了), so a new way of saying it needs a word in one list, not a phrase in another.
    "resolution_verbs": ("消", "退", "褪", "散", "好", "缓", "淡", "平", "下"),
    "resolution_complements": ("了", "下去", "下去了", "干净", "干净了", "掉了", "没了", "过来", "过来了", "多了",
                               "得差不多了", "差不多了", "完了"),
    # A resolution only begun (肿是消了一些，但是左边还是大一圈; 淤青淡了一点): the sign is still there. So is one
    # denied (还没缓过来, 没完全消下去).
    "partial": ("一些", "一点", "一点点", "些", "点", "一部分", "不少", "一半"),
    # An adverb the segmenter glues to the verb (全散了, 早褪了, 都消下去了, 基本好了) keeps it a resolution.
    "resolution_adverbs": ("全", "都", "早", "已", "也", "基本", "差不多"),
    "praise": ("很好", "真好", "挺好", "特别好", "非常好", "超好", "蛮好", "太好", "不错", "很棒", "真棒", "专业",
               "满意", "合理", "到位", "贴心", "周到", "热情", "耐心", "给力", "靠谱", "精彩", "有意思", "没得说",
               "没话说", "没的说", "无可挑剔"),
    # Handling a payment rather than asking a price: money paid or sent (交了, 付过, 转你了, 花了), a
    # receipt or an invoice, a claim on expenses, a way to transfer. A clause with one is `payment`
    # unless its sentence asks an amount (`amount_questions`): 「学费交好了，麻烦开张收据」 asks no price,
    # 「上次付了两千定金，这次还要补多少」 does.
    "payment": ("交了", "交好了", "交过", "已交", "付了", "付好了", "付过", "已付", "花了", "充了", "转了", "转你",
                "转给你", "转过去", "转好了", "已转", "转账", "对公", "汇款", "收据", "发票", "开票", "报销", "凭证",
                "收款码", "付款码", "扫码", "到账", "收到没", "收到了吗", "医保", "收到了", "拿到了", "领到了", "领了"),
    "amount_questions": ("多少", "几多", "几钱", "怎么算", "怎么收"),
    # Moving what was arranged: 约好的时间改到周三 is still a booking (the `done` of 约好的 does not
    # count in such a clause); a school's 课改到周日 is leave.
    "reschedule": ("改到", "改成", "改期", "改个时间", "改时间", "改一下时间", "挪到", "挪一下", "换到", "换个时间",
                   "换时间", "调到", "调整到", "推到", "推迟到", "延到", "延后到", "提前到", "顺延到", "往后挪",
                   "推迟", "延后", "往后推", "往后延", "往前挪", "往前提", "提前一",
                   # a swap of two times (周二那节课能和周四的换一下吗, 这周六的跟下周六对调)
                   "和*换一下", "跟*换一下", "和*对调", "跟*对调", "和*调换", "跟*调换", "对调一下", "调换一下"),
    # A lukewarm judgement when it closes its clause (效果一般, 服务还行吧); 一般 elsewhere expects (一般会肿).
    "mild": ("一般", "一般般", "还行", "还可以", "还凑合", "凑合", "马马虎虎", "过得去", "中规中矩", "说得过去"),
    # "No need" opening a clause after something done (已经约好了，不用再打电话了): settled, not an opt-out.
    "no_need": ("不用", "不必", "无需", "无须", "没必要", "用不着", "不需要"),
    # Asking whether a service treats a condition (我一直腰疼，你们的修复能解决吗, 老是长痘，光子有用吗): in a
    # clause that asks, the whole sentence is `remedy`, except a clause that tells a treatment done
    # (`treated`: 打完水光起了红点，能解决吗 reports a reaction and asks for a fix).
    "remedy": ("能解决", "能改善", "能治", "能治好", "能调理", "能修复", "能去掉", "能去除", "能淡化", "能消除", "有用",
               "管用", "有效果", "有帮助", "见效", "能不能解决", "能不能改善", "能不能治", "能不能调理", "有没有用",
               "有没有效果", "管不管用", "有没有帮助", "可以改善", "可以解决", "可以调理",
               # A modal before what treats: 能不能根治, 能帮上忙吗, 可以缓解一下吗.
               "能根治", "能不能根治", "能缓解", "能不能缓解", "可以缓解", "能帮上忙", "能不能帮上忙", "帮得上忙",
               "能减轻", "能好转"),
    "treated": ("做完", "打完", "弄完", "做了", "打了", "做过", "打过", "术后", "治疗后", "治疗完", "按完", "敷完",
                "做的", "打的", "灸完", "扎完", "推拿完", "针灸完", "艾灸完", "拔完"),
    # A condition held before, the reason to come, not a reaction to a treatment (颈椎不舒服好几年了, 我腰本来就疼,
    # 平时坐久了就疼, 老毛病了): a clause with one of these and no `treated` marker is `chronic`.
    "chronic": ("本来", "本来就", "原本就", "本身就", "平时", "平常", "从小", "老毛病", "老问题", "旧伤", "老伤",
                "多年", "好几年", "好多年", "几年了", "年了", "这几年", "常年", "长期", "慢性", "一直都", "向来",
                "天生", "以前就", "一直以来"),
    # A wish to come or to be treated (想约个针灸，坐骨神经痛): the condition told with it is the reason to come,
    # `remedy` as a question whether a service treats it is, unless its clause tells a treatment done.
    "visit_wishes": ("想约", "想预约", "想来", "想过来", "想做个", "想做一次", "想试试", "想调理", "来调理", "想调",
                     "约个", "预约个", "想挂个号", "挂个号"),
    # A strong negative judgement: one of `intensifiers` right before one of `negative` (太慢了, 这钱花得
    # 真冤, 说话也太冲了), not after 不/没 (不太慢). 贵 is a price concern, not listed.
    # 越来越 and 一天比一天 judge a decline: 饭菜一天比一天差 (一天比一天好 praises: 好 is not negative).
    "intensifiers": ("太", "也太", "真", "真是", "好", "超", "特别", "非常", "这么", "那么", "实在", "巨", "贼",
                     "简直", "忒", "越来越", "一天比一天", "一次比一次", "一周比一周", "一年比一年", "一回比一回",
                     "一节比一节", "一届比一届"),
    "negative": ("慢", "冲", "差", "冤", "乱", "脏", "吵", "烂", "凶", "拖", "敷衍", "离谱", "过分", "夸张", "糟糕",
                 "糊弄", "黑", "难吃", "难闻", "不靠谱", "不专业", "不负责", "不耐烦", "没礼貌", "没耐心", "差劲",
                 "马虎", "草率", "粗暴", "坑", "失望", "恶心", "垃圾", "不小心", "不像话", "不上心", "不用心",
                 "不认真", "不仔细", "粗心", "恶劣", "傲慢", "生硬"),
    # The manner of the staff, judged by a `negative` word right after it or after degree words
    # (`manner_degrees`: 还, 也, 很, 有点…) and no negator: 态度很冲, 说话还特别凶, 语气恶劣 are strong
    # judgements as 太慢 is (the mood `negative`); 态度也不差 is none, 我说话太冲了 is the customer's own.
    "manner": ("态度", "服务态度", "语气", "口气", "说话", "脾气"),
    # An intensifier with a negator (太不, 也太不): a strong judgement whatever the word after it (也太不及时了,
    # 太不卫生了), unless that word begins one of `not_judging` (太不好意思了 apologises, 太不容易了 feels for
    # someone, 太不巧了 is bad luck, 真是太不错了 praises).
    "strong_negators": ("太不", "也太不", "实在太不", "真是太不", "真太不", "简直太不", "越来越不"),
    "not_judging": ("好意思", "容易", "巧", "错", "舍得", "可思议", "敢", "想", "要", "会", "能", "用", "知道",
                    "记得"),
    # What may stand between a thing and what is wrong with it in a keyword (屏幕不亮, 度数不对) as
    # customers say it: 屏幕还是不亮, 信号也不好, 触屏又不灵, 度数都不对 (see concepts.predicates_apart).
    "predicate_adverbs": ("都", "也", "还", "还是", "又", "一直", "总是", "老是", "始终", "根本", "完全", "就是",
                          "很", "太", "有点", "有些", "特别", "怎么都", "怎么也"),
    "manner_degrees": ("还", "也", "都", "很", "太", "真", "超", "挺", "蛮", "特别", "非常", "有点", "有些", "比较",
                       "实在"),
    # What a strong judgement (特别差, 太慢) says of the customer or their child, not of the business,
    # when it is named right before it: 阅读理解特别差, 孩子基础太差, 我皮肤真的好差, 我太粗心了.
    # Before the customer or their child, what makes them the one a judgement is aimed at (对孩子太凶了).
    "toward": ("对", "冲", "朝", "向", "对着"),
    "self_judged": ("我", "自己", "我自己",
                    "成绩", "基础", "底子", "理解", "阅读", "口语", "听力", "发音", "写作", "作文", "词汇", "单词",
                    "计算", "记性", "记忆力", "注意力", "专注力", "自控力", "反应", "能力", "学习", "字", "数学",
                    "语文", "英语", "物理", "化学",
                    "皮肤", "肤质", "肤色", "体质", "体力", "身体", "睡眠", "胃口", "视力", "气色", "状态", "心情",
                    "毛色", "牙口"),
    # A wish or a request (想报个班, 帮我约, 可以试听吗): with a question, what an `intent = true` rule
    # needs, so that a class merely mentioned (孩子今天上课很开心) is no enquiry. Negated (不想) it is none.
    "request": ("想", "想要", "要", "希望", "打算", "准备", "帮我", "帮忙", "麻烦", "请问", "能否", "可以", "能",
                "发我", "一下", "安排", "问一下", "问问", "咨询", "了解", "考虑", "看看", "试试", "求"),
    # A choice asked between two things (一对一还是小班, 按次收费还是按月收费) asks as a question word
    # does (`asking`); not after a pronoun or 了, nor before a word of degree or state (还是很油,
    # 我还是想约周六, 三天了还是肿: "still", "rather").
    "either_or": ("还是",),
    # A keyword inside a longer token counts when the rest is one of these (好贵, 胀痛, 太坑, 疼死,
    # 牙疼, 脸肿: a body part the segmenter glued to its symptom) and the token is not in the rules'
    # do-not-split dictionary (心疼, 大约).
    "split_prefixes": ("好", "太", "很", "超", "巨", "死", "真", "挺", "蛮", "贼", "忒", "最", "更", "酸", "胀",
                       "闷", "刺", "隐", "剧", "微", "有点", "好多", "特", "老", "给我", "给你",
                       "牙", "脸", "嘴", "唇", "眼", "鼻", "耳", "腰", "腿", "背", "胃", "手", "脚", "肚子",
                       "脖子", "肩膀", "膝盖", "牙龈", "嗓子"),
    "split_suffixes": ("死", "了", "得", "啊", "呀", "的", "疼", "痛", "给", "给我"),
    # A topic (a rule with `negatable = false`) is named inside a longer word ending in one of these:
    # 美容师, 染发剂, 美甲店, 热玛吉后. Other rules never read them (贵店 is no price).
    "topic_suffixes": ("师", "店", "剂", "卡", "券", "课", "班", "后", "前", "中", "时", "期间", "套餐", "项目", "机",
                       "仪", "区", "室", "液", "膏", "霜"),
    # Words a `*` gap does not count (别每天都给我推消息: 每天 is the one word skipped).
    # A keyword right before one of these (a 的 or one of `named_links` between) names a thing, it
    # does no act: 退款政策, 预约系统, 投诉处理流程, 请假条 are talked about; where the clause asks or
    # wishes (退款流程发我一下, 预约小程序在哪) the customer still wants what the keyword names.
    "topic_heads": ("政策", "制度", "规定", "规则", "条款", "须知", "说明", "流程", "系统", "页面", "界面", "小程序",
                    "程序", "入口", "按钮", "链接", "二维码", "表", "单", "条", "记录", "短信", "海报", "文章",
                    "功能", "渠道", "方式", "部门", "窗口", "专员", "机制", "标准", "模板", "公告", "活动页", "制"),
    "named_links": ("处理", "申请", "办理", "相关", "服务", "管理"),
    # Heads of `topic_heads` that are a text to read: asked for (退款政策写在哪, 预约须知哪里能看, 退费规则能
    #发我一份吗), they are what the customer wants, not what they govern (退款流程发我一下 still asks).
    "documents": ("政策", "制度", "规定", "规则", "条款", "须知", "说明"),
    # After a keyword and 的, a word opening with one of these tells which thing the keyword describes
    # (上次退给我的那张卡, 约的那个号): `named`, whatever the clause asks of it.
    "demonstratives": ("这", "那"),
    # A modal the segmenter may glue to the next word's first character (能不能少/发点): where that
    # character and the next token make a keyword (少发点), it is given back (能不能/少发点).
    "glued_modals": ("能", "能不能", "可以", "可不可以", "会", "会不会", "要", "要不要", "想"),
    "gap_fillers": ("给", "我", "给我", "再", "都", "也", "还", "老", "总", "总是", "老是", "一直", "天天", "每天",
                    "又", "就", "的", "了", "完", "过"),
    # A clause naming money hears 推 as 退 (剩下的钱推给我吧): see `KeywordTagger._money_heard`.
    "money_words": ("钱", "款", "费", "费用", "余额", "定金", "押金", "学费", "尾款", "差价", "卡里的钱", "剩下的钱"),
    # Verb-object words that Chinese splits (洗完澡, 剪个毛, 请过假, 分三期, 打第二针): such a keyword
    # said with one or two `separable_inserts` between its characters still matches.
    "separable": ("洗澡", "洗头", "洗牙", "剪毛", "剪发", "理发", "染发", "烫发", "打针", "输液", "抽血", "拍片",
                  "开药", "吃药", "喂药", "驱虫", "看病", "挂号", "排号", "排队", "请假", "上课", "约课", "报名",
                  "分期", "打折", "付款", "交费", "缴费", "续费", "充值", "办卡", "续卡", "停卡", "退卡", "退款",
                  "退费", "退货", "换货", "发货", "下单", "结账", "见面", "生病", "发烧", "拔牙", "补牙", "美甲",
                  "打卡", "签到", "上门", "睡觉", "吃饭", "生气", "帮忙", "操心", "起疹", "鼓包", "起包"),
    # A time to come (明天, 周六下午, 今晚, 三点半, 15号): a rule's `timed` keywords (过来, 做, 有空)
    # count only in a sentence that names one. `#` is a number (三, 两, 10).
    "times": ("今天", "今晚", "今早", "今儿", "明天", "明早", "明晚", "明儿", "后天", "大后天", "周一", "周二", "周三",
              "周四", "周五", "周六", "周日", "周天", "周末", "星期一", "星期二", "星期三", "星期四", "星期五",
              "星期六", "星期天", "星期日", "礼拜一", "礼拜二", "礼拜三", "礼拜四", "礼拜五", "礼拜六", "礼拜天",
              "礼拜日", "下周", "下星期", "下礼拜", "这周", "本周", "这星期", "这礼拜", "上午", "下午",
              "中午", "晚上", "早上", "傍晚", "晚点", "待会", "等会", "一会儿", "月底", "月初", "节后", "下班后",
              "放学后", "午休", "#点", "#点半", "#号",
              # holidays (国庆那几天能不能做热玛吉, 春节前还能约上吗)
              "国庆", "五一", "元旦", "春节", "过年", "年前", "年后", "中秋", "端午", "清明", "寒假", "暑假"),
    # A time gone by (昨天, 上周三, 刚才, 十一点半才给我做): in the clause it makes a `timed` keyword a report of what
    # was done (上周三过来做的时候), whatever time to come the sentence also names.
    "past_times": ("昨天", "昨晚", "昨儿", "前天", "大前天", "上周", "上星期", "上礼拜", "上个月", "上次", "上回",
                   "刚才", "刚刚", "那天", "前几天", "前两天", "当时", "才"),
    # A time accepted (好滴，那就周六十点; 就按你说的礼拜四晚上七点): a `timed` word of these books with the
    # time alone, without a wish or 我 besides, outside a sentence that moves something.
    "confirmations": ("那就", "就按", "就定", "不见不散"),
    # A time proposed (周四上午十点可以吗): a `timed` word of these books when its clause before it names
    # nothing but a time (not 明天补交行吗).
    "proposals": ("可以吗", "行吗", "行不行", "方便吗"),
    # Right after a `timed` word, an errand, not a visit booked (我四点左右过来取, 周六晚上过来接孩子).
    "errands": ("取", "拿", "接", "领", "提车", "取车", "拿药", "取件"),
    # Someone else who may be the subject of a `timed` word (我哥下周想来做个保养, 我婆婆明天过来,
    # 护士看一下好吗): then it is their visit or their act, not the customer's booking, unless the
    # clause also has the customer as subject (我 not followed by one of these). With `speakers`;
    # `own_speakers` (孩子, 宝宝) are the customer's own case and never count here.
    "third_persons": ("哥", "姐", "妹", "弟", "哥哥", "姐姐", "妹妹", "弟弟", "婆婆", "公公", "老公", "老婆", "爱人",
                      "妈", "爸", "我妈", "我爸", "我哥", "我姐", "我妹", "我弟", "嫂子", "小姑子", "表姐", "表妹",
                      "家人", "亲戚", "邻居", "朋友", "闺蜜", "同事", "同学", "他", "她", "他们", "她们", "师傅",
                      "婆家", "娘家", "岳母", "丈母娘", "奶奶", "爷爷", "外婆", "姥姥", "阿姨", "叔叔", "小姨", "姑姑",
                      "舅舅", "舅妈", "侄女", "侄子", "外甥", "外甥女", "表哥", "表弟", "堂姐", "堂妹", "室友", "发小",
                      "老同学", "家长", "隔壁", "楼上", "楼下", "对门", "老人"),
    # Someone else who wants it too (邻居家小孩也想来, 王姐也打算让她儿子来学, 我侄女也想学舞蹈): one of
    # `third_persons` or `speakers` (or a word opening with one: 邻居家) before a word of `also` that is
    # followed by, or goes on with, one of `also_wants`: mood `referring`.
    # Someone else's question or wish passed on (我表妹在问你们地址, 孩子同学的妈妈问在哪报名, 我同事想给她闺女报美术):
    # a word of `relayed` after such a person, not one of the household (`household`: they ask for the customer's own
    # home), is `referring` as well, and so is the next clause of the sentence that goes on without a subject of its
    # own (…，想自己过去看看): their visit or enrolment, no one the customer makes.
    "relayed": ("问", "在问", "想问", "打听", "想了解", "想知道", "想咨询", "让我问", "托我问", "想给"),
    "household": ("老公", "老婆", "对象", "爱人", "男朋友", "女朋友", "家里人", "家人"),
    "also": ("也", "也想", "也要", "也打算", "都想", "也准备"),
    "also_wants": ("想", "打算", "准备", "来", "报", "约", "学", "做", "生", "有兴趣", "感兴趣", "动心", "心动", "要来",
                   "要做", "要报", "要约", "要学", "要生"),
    # A plan given up: its clause is `reversed` when the message goes on after it (本来想请假的，后来想想还是去吧,
    # 原本想给孩子请假的，结果他自己非要去, 本来约了明天参观，临时有事，取消吧).
    "reversal": ("本来想", "原本想", "本想", "原来想", "本来打算", "原本打算", "原来打算", "本来要", "原本要",
                 "本来准备", "原本准备", "本来约", "原本约", "原来约"),
    # A wish held back (`reversed` too): a clause with one of `held_wishes` that closes with 的, and the
    # next clause opens with one of `contrasts` and asks nothing: 想约的，但是下个月才回国; 挺想报这个班的，
    # 不过得先问问孩子爸爸. Not 想约的，周六下午可以吗, nor 想约的，但是周六还有位置吗.
    "held_wishes": ("想", "打算", "准备"),
    "contrasts": ("但是", "但", "不过", "可是", "可", "只是", "就是"),
    # What accepts a price or a term (这个价位我们能接受, 价格方面没什么问题, 其实不算贵): its sentence is
    # `accepted` when none of its clauses asks; not negated (不能接受).
    "acceptance": ("可以接受", "能接受", "接受得了", "还能接受", "没什么问题", "没问题", "心里有数", "不算贵", "不贵",
                   "觉得还好", "倒还好", "也还好", "不在乎", "无所谓", "不是问题"),
    # A word of place after a broad `asked` word with 在 before it (在课上, 在班里, 在课堂上) makes the class the
    # setting of what is asked, no enquiry about it: 「孩子今天在课上有没有哭」.
    "locatives": ("上", "里", "中", "间", "上面", "里面", "堂上"),
    # A visit that keeps what stands, not a new booking (`attending`): a clause with one of `visits` and
    # a word of routine (这周照常过来上, 今晚照旧七点过去), the visit's purpose right after it, one of
    # `attendance` (过去考试, 过来上课, 过去参加家长会), or a time that points back, `anaphoric_times`, after a
    # clause that tells an arrangement already made (我已经约了周五的，到时候直接过去就行吧).
    # A keyword holding one of these asks for a place, which belongs to the arrangement its sentence names
    # (周末班还有位置吗: the class's, no booking), as a move does (see `arrangement` in docs/tagging.md).
    "places": ("位置", "名额", "空位", "位子", "座位", "学位"),
    # Someone who comes as the customer's company, not as a customer (`accompanying`): 老公陪我一起过来,
    # 带我妈来陪我, 朋友在旁边等我, 同事开车送我过来.
    "company": ("陪我", "陪着我", "陪同我", "陪我一起", "陪我来", "陪我过来", "等我", "在旁边等", "在外面等",
                "在楼下等", "在门口等", "送我过来", "送我来", "送我去", "接我"),
    "visits": ("来", "去", "过来", "过去", "到", "直接过来", "直接过去", "送过来", "送过去", "到店", "来店", "到院"),
    "routine": ("照常", "照旧", "按时", "准时", "老时间", "原来的时间", "原定的时间", "按原来的"),
    "attendance": ("上课", "上", "听课", "考试", "考级", "考", "参加", "开会", "练", "练琴", "比赛", "演出",
                   "彩排"),
    "anaphoric_times": ("到时候", "到时", "届时"),
    # `#` is a number (三, 两, 10); a measure after it (一双鞋, 两件衣服) for a verb and its object.
    "separable_inserts": ("了", "过", "完", "个", "次", "下", "一次", "一下", "一个", "#次", "#个", "第#", "#",
                          "#件", "#双", "#条", "#床", "#套", "#张", "#台", "#只", "#辆", "#颗", "#组", "#部"),
    # Verbs whose keyword (洗鞋, 换机油, 清洗空调, 空调清洗) is also found split, inverted and with the
    # object's full noun (洗一双鞋, 机油该换了, 鞋子洗完了): see bot/tagging/verb_object.py.
    "verbs": ("洗", "剪", "染", "烫", "拍", "修", "换", "补", "拔", "种", "贴", "擦", "做", "办", "喷", "装", "拆",
              "配", "验", "测", "查", "充", "续", "退", "寄", "抽", "磨", "剃", "刮", "涂", "敷", "打", "镶", "封",
              "住", "按", "灸", "扎", "揉", "捏", "卸", "熏", "清洗", "更换", "维修", "修理", "拍摄", "保养", "清理",
              "护理"),
    # A keyword's verb said alone (按 of 按摩, 灸 of 艾灸, 续 of 续卡: `KeywordRule.heads`) names the keyword
    # with one of these right after it, for a topic (按完, 灸过, 按得真好, 按的时候), or closing its clause
    # (还是上次那个师傅按, 年卡怎么续); never the verbs said of everything (`light_verbs`), and a verb that is also
    # a preposition (`prepositions`: 按次收费, 按天算) is never heard bare as a topic's verb.
    "verb_aspects": ("完", "完了", "了", "过", "得", "好", "好了", "的时候"),
    "light_verbs": ("做", "打", "办", "弄", "搞", "换", "查", "看", "上", "开", "用", "拿", "加", "买", "来", "去",
                    "给", "要", "装"),
    "prepositions": ("按", "照", "凭", "拿", "用", "给", "对", "替", "比", "跟", "往", "向"),
    # What may follow the verb of an inverted keyword in its token (机油/该/换好/了, 鞋子/洗完).
    "verb_complements": ("完", "好", "了", "过", "下", "掉", "坏", "得", "一下", "干净", "着", "错", "破", "花"),
    # The full nouns of a one-character object (洗鞋: 鞋子; 洗衣: 衣服; 洗牙: 牙齿).
    "object_nouns": ("衣服", "衣物", "鞋子", "牙齿", "车子", "头发", "指甲", "被子", "袜子", "裤子", "裙子", "窗户",
                     "眉毛", "睫毛", "胡子", "毛发", "照片", "相片", "柜子", "桌子", "机器", "节课", "堂课"),
}
DEFAULT_LANGUAGE.update(DEFAULT_GRIEVANCE)
NEGATED_PRAISE = ("不", "没", "没有", "不太", "不够", "不是很", "不怎么", "不算")

# The default vocabulary: words customers type in Latin letters for the Chinese a rule uses.
# A phrase (how much, money back) is matched with any spaces between its words.
DEFAULT_ALIASES: dict[str, tuple[str, ...]] = {
    "预约": ("book", "booking", "appointment", "yuyue", "yy", "reserve", "reservation"),
    "退款": ("refund", "tuikuan", "tuifei", "tk", "money back", "refunded"),
    "价格": ("price", "prices", "jiage", "cost", "jiaqian", "fee", "fees", "pricing"),
    "多少钱": ("duoshaoqian", "how much", "how much is it"),
    "优惠": ("discount", "youhui", "coupon", "promo", "deals"),
    "投诉": ("complain", "complaint", "tousu"),
    # Signs said in English: they reach a rule that has the sign (its group's word) among its keywords.
    "疼": ("pain", "painful", "hurts", "sore", "aching"),
    "痒": ("itchy", "itching", "itches"),
    "肿": ("swollen", "swelling"),
    "红疹": ("rash",),
    "呕吐": ("vomit", "vomiting", "threw up"),
    "腹泻": ("diarrhea", "diarrhoea"),
    "发烧": ("fever",),
    "取消": ("cancel", "quxiao"),
    "退订": ("unsubscribe", "tuiding", "td", "stop"),
    "请假": ("qingjia", "leave"),
    "课程": ("course", "kecheng"),
    "试听": ("trial", "shiting"),
}

MARKER_KINDS = ("polite", "lateness", "hypothetical", "worry", "hearsay", "mild", "expectation", "rhetorical",
                "deferral", "resolved", "reschedule", "done", "praise", "no_need", "payment", "remedy", "treated",
                "reversal", "chronic", "visit_wishes", "routine", "anaphoric_times", "company", "acceptance")
# Before a speaker, a word that makes the customer the one who speaks (跟老师说, 帮我和前台讲).
_SPOKEN_TO = frozenset("跟和对给同向替帮让叫")
_TIME_NUMBER = "(?:[0-9]+|[一二两三四五六七八九十]+)"
_CLOSING_PARTICLES = "了啦吧啊呀哈呢哦喔嘛嘞的"
_SENTENCE_END = frozenset("。！？!?\n")
_SENTENCE_END_PATTERN = re.compile("[。！？!?\n]")
_HELD_BACK_GAP = ",，、 ~～…"
# A clause with one of these tells something; it is no topic named for a question after it.
_TELLING = frozenset(("了", "过", "我", "我们", "着"))
# Question words that also say "any" (啥也没, 谁都不): with 也/都 and a negator after them they ask nothing.
_INDEFINITES = frozenset({"什么", "啥", "哪", "哪里", "哪儿", "谁", "多少", "几"})


class LanguageError(ValueError):
    """A `[language]` list is not a list of words."""


@dataclass(frozen=True)
class Marker:
    """Where one marker word sits in a clause (character offsets)."""

    kind: str
    start: int
    end: int


def _alternatives(words: Iterable[str]) -> str:
    """The words longest first, `*` a gap; each run of words without a gap as one trie, which
    takes the longest of them as the alternation does, in a third less time on every clause."""
    parts = sorted({w for w in words if w}, key=len, reverse=True)
    branches: list[str] = []
    for gapped, run in itertools.groupby(parts, key=lambda w: "*" in w):
        if gapped:
            branches += (".{0,3}?".join(map(re.escape, w.split("*"))) for w in run)
        else:
            branches.append(trie_regex(run))
    return "|".join(branches)


@dataclass(frozen=True)
class Language:
    """The marker lists in force, compiled once per rule set."""

    words: Mapping[str, tuple[str, ...]]
    _pattern: re.Pattern[str] | None = field(repr=False, compare=False)
    _request: re.Pattern[str] | None = field(repr=False, compare=False)
    _negative: re.Pattern[str] | None = field(repr=False, compare=False)

    @property
    def negative_pattern(self) -> re.Pattern[str] | None:
        return self._negative

    def negative(self, text: str) -> bool:
        """An intensifier right before a negative word, not negated: 也太慢了, 真冤; not when what it
        judges, said right before it, is the customer's or their child's own (阅读理解特别差)."""
        if self._negative is None:
            return False
        return any(not self._self_judged(text[: match.start()]) for match in self._negative.finditer(text))

    def judged_by_self(self, text: str, start: int, end: int) -> bool:
        """The words at text[start:end] end with a `negative` word (太差, 很差, 真慢) and judge what the
        customer names right before them as their own or their child's (孩子数学太差, 我忍痛能力很差)."""
        return text[start:end].endswith(self.words["negative"]) and self._self_judged(text[:start])

    def _self_judged(self, before: str) -> bool:
        """What is judged, named right before, is the customer's own or their child's (孩子太不自觉了)."""
        before = before.rstrip("也都还就真的是")
        own = self.words["self_judged"] + self.words["own_speakers"]
        if not (before and own):
            return False
        # 对孩子太凶了, 冲我特别凶: the customer or their child is the one treated so, not the one judged.
        return any(before.endswith(word) and not before[: -len(word)].endswith(self.words["toward"]) for word in own)

    @classmethod
    def build(cls, overrides: Mapping[str, Sequence[str]] | None = None) -> Language:
        words = dict(DEFAULT_LANGUAGE)
        for key, value in (overrides or {}).items():
            if key not in DEFAULT_LANGUAGE:
                raise LanguageError(f"unknown list {key!r} (known: {', '.join(DEFAULT_LANGUAGE)})")
            if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
                raise LanguageError(f"{key}: must be a list of non-empty words")
            words[key] = tuple(w.strip() for w in value)
        language = cls(words, None, None, None)
        # One regex, one group per kind: a clause is scanned once whatever the number of lists.
        groups = [f"(?P<{kind}>{_alternatives(language.marker_words(kind))})"
                  for kind in MARKER_KINDS if language.marker_words(kind)]
        request = language.marker_words("request")
        negative = (f"(?<![不没])(?:{_alternatives(words['intensifiers'])})(?:{_alternatives(words['negative'])})"
                    if words["intensifiers"] and words["negative"] else None)
        if negative and words["strong_negators"]:
            unless = f"(?!{_alternatives(words['not_judging'])})" if words["not_judging"] else ""
            negative += f"|(?<![不没])(?:{_alternatives(words['strong_negators'])}){unless}[\u4e00-\u9fff]"
        if negative and words["manner"]:
            degrees = f"(?:{_alternatives(words['manner_degrees'])}){{0,2}}" if words["manner_degrees"] else ""
            negative += f"|(?:{_alternatives(words['manner'])}){degrees}(?:{_alternatives(words['negative'])})"
        return cls(words, re.compile("|".join(groups)) if groups else None,
                   re.compile(_alternatives(request)) if request else None,
                   re.compile(negative) if negative else None)

    def marker_words(self, kind: str) -> tuple[str, ...]:
        """The words that mark `kind`; resolved ones include every resolution verb + complement."""
        if kind == "hearsay":
            return self.words[kind] + tuple(
                speaker + verb for speaker in self.words["speakers"] for verb in ("*说", "*讲"))
        if kind != "resolved":
            return self.words[kind]
        words = self.words
        resolutions = tuple(
            verb + complement for verb in words["resolution_verbs"] for complement in words["resolution_complements"])
        return words["resolved"] + resolutions + tuple(
            adverb + resolution for adverb in words["resolution_adverbs"] for resolution in resolutions)

    @cached_property
    def _times(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        """The `times` and `past_times` lists as two regexes, `#` a number (三点半, 15号, 10:30)."""
        def pattern(words: Sequence[str]) -> re.Pattern[str] | None:
            parts = sorted({w for w in words if w}, key=len, reverse=True)
            if not parts:
                return None
            return re.compile("|".join(_TIME_NUMBER.join(map(re.escape, w.split("#"))) for w in parts))
        return pattern(self.words["times"]), pattern(self.words["past_times"])

    def names_time(self, text: str) -> bool:
        """A time to come anywhere in `text` (a message), before clauses are read: cheap."""
        coming = self._times[0]
        return coming is not None and coming.search(text) is not None

    def only_times(self, text: str) -> bool:
        """Nothing but times to come (周四上午十点, 那周六下午的), a few particles allowed."""
        coming = self._times[0]
        return coming is not None and coming.search(text) is not None and not coming.sub("", text).strip(
            "那就的这个吧呢,， ")

    def times_named(self, clause: ClauseInfo) -> tuple[bool, bool]:
        """Whether the clause names a time to come, and a time gone by (cached on the clause)."""
        if clause.times is None:
            coming, gone = self._times
            clause.times = (coming is not None and coming.search(clause.folded) is not None,
                            gone is not None and gone.search(clause.folded) is not None)
        return clause.times

    @cached_property
    def grievances(self) -> Grievances:
        """The grievance moods' lists, compiled (read only when a rule weighs one of them)."""
        return Grievances.build(self.words)

    @cached_property
    def grievance_trigger(self) -> FirstCharSearch:
        """`grievances.trigger`, searched from where it can begin (first_chars.py): its branches open
        with groups and repeats, which the regex engine would try at every position."""
        return FirstCharSearch(self.grievances.trigger)

    @cached_property
    def grievance_spanning(self) -> FirstCharSearch | None:
        """`grievances.spanning`, searched the same way."""
        spanning = self.grievances.spanning
        return FirstCharSearch(spanning) if spanning is not None else None

    @cached_property
    def _asking(self) -> re.Pattern[str] | None:
        """A question word anywhere in a clause, also inside a longer token (一节多少), but not a
        negated one (没什么, 不怎么, 没多少): 「钢琴课一节多少钱」 asks. One search instead of a
        `str.find` loop per question word."""
        words = self.words["question_words"]
        if not words:
            return None
        # 啥也没学到, 什么都不会, 哪儿也不去: an indefinite with 也/都 and a negator says "nothing", it asks nothing;
        # a why (为什么也不说一声) still asks.
        indefinite = [w for w in words if w in _INDEFINITES]
        others = [w for w in words if w not in _INDEFINITES]
        branches = [f"(?:{trie_regex(indefinite)})(?!儿?[也都].{{0,2}}?[没不])"] if indefinite else []
        branches += [trie_regex(others)] if others else []
        return re.compile(f"(?<![没不])(?:{'|'.join(branches)})")

    @cached_property
    def subjects(self) -> tuple[str, ...]:
        """Who may open a clause as its subject: the customer, the business, their people."""
        words = self.words
        return ("我", "你", *words["own_speakers"], *words["third_persons"], *words["staff"])

    def asks(self, text: str) -> bool:
        """A question word in `text`, as `asking` reads it."""
        return self._asking is not None and self._asking.search(text) is not None

    @cached_property
    def question_sets(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """Question particles, report questions and question words, as sets: built once, not per message."""
        words = self.words
        return (frozenset(words["question_particles"]), frozenset(words["report_questions"]),
                frozenset(words["question_words"]))

    @cached_property
    def places_pattern(self) -> re.Pattern[str] | None:
        """Any word of `places` (还有*位置, 名额) inside a keyword: one search, not a loop per word."""
        places = self.words["places"]
        return re.compile("|".join(map(re.escape, places))) if places else None

    @cached_property
    def also_pattern(self) -> re.Pattern[str] | None:
        """Any word of `also` (也, 也想…): a clause without one refers to nobody, and is not read token by token."""
        also = self.words["also"]
        return re.compile("|".join(map(re.escape, also))) if also else None

    @cached_property
    def sets(self) -> dict[str, frozenset[str]]:
        """Each word list as a set, for the tests of a whole token that run per message: built once."""
        return {name: frozenset(words) for name, words in self.words.items()}

    @property
    def split_prefixes(self) -> frozenset[str]:
        return frozenset(self.words["split_prefixes"])

    @property
    def split_suffixes(self) -> frozenset[str]:
        return frozenset(self.words["split_suffixes"])

    def intent_moods(self, clause: ClauseInfo) -> set[str]:
        """`asking` and `request` of a clause, read when a rule asks for them (cached on the clause)."""
        if clause.intent is None:
            clause.intent = set()
            if ((self._asking is not None and self._asking.search(clause.folded))
                    or self._either_or(clause.tokens, clause.folded)):
                clause.intent.add("asking")
            if self._wishes(clause):
                clause.intent.add("request")
        return clause.intent

    def _either_or(self, tokens: list[str], text: str) -> bool:
        """还是 between two things it offers as a choice, not "still" or "rather"."""
        words = self.words["either_or"]
        if not any(word in text for word in words):
            return False
        return any(token in words and 0 < i < len(tokens) - 1 and tokens[i - 1] not in _NOT_BEFORE_CHOICE
                   and tokens[i + 1] not in _NOT_AFTER_CHOICE and tokens[i + 1] not in self.words["intensifiers"]
                   and not _still(tokens[i - 1], tokens[i + 1])
                   for i, token in enumerate(tokens))

    def _wishes(self, clause: ClauseInfo) -> bool:
        """A wish or request marker on a token boundary, not negated (不想), or glued to its subject."""
        if ("想" in clause.folded or "要" in clause.folded) and any(  # 同事也想, 想报: 想 glued on
                token.endswith(_GLUED_WISHES) or (token[:1] == "想" and len(token) == 2 and token not in _NOT_WISHES)
                for token in clause.tokens):
            return True
        for match in self._request.finditer(clause.folded) if self._request else ():
            start, end = match.span()
            if (start in clause.bounds and (end in clause.bounds or end - start > 1)
                    and clause.folded[start - 1 : start] not in ("不", "没", "别")):
                return True
        return False

    def markers(self, text: str, bounds: frozenset[int]) -> list[Marker]:
        """Every marker in a clause whose both ends fall on token boundaries."""
        found = []
        if self._pattern is None:
            return found
        # A marker starts a token; a one-character one is a whole token (会 is not in 会员), a
        # longer one may end inside a token a keyword made (消/肿了 holds 消肿). Praise ends on a
        # boundary too: 满意度 is no 满意 (「不要再打电话问我满意度了」), and so does hearsay: 前台说话好凶 reports
        # nobody's words.
        pos = 0
        search = self._marker_search.search
        while match := search(text, pos):
            if match.lastgroup == "hearsay" and text[match.start() - 1 : match.start()] in _SPOKEN_TO:
                pos = match.start() + 1  # 跟老师说一声: the customer speaks, nobody is reported
            elif match.start() in bounds and (match.end() in bounds or (
                    match.end() - match.start() > 1 and match.lastgroup not in ("praise", "hearsay"))):
                if match.lastgroup != "resolved" or not self._unresolved(text, match.start(), match.end()):
                    found.append(Marker(match.lastgroup or "", match.start(), match.end()))
                pos = match.end()
            else:  # one off the boundaries may hide one on them: 完全消肿 holds 全消 and 消肿
                pos = match.start() + 1
        return found

    def _unresolved(self, text: str, start: int, end: int) -> bool:
        """A resolution denied (还没缓过来, 没完全消下去, 一直没退) or only begun (消了一些, 淡了一点, 好了一点):
        the sign is still there. `[language] partial` after it; a negator before it, adverbs between."""
        before = text[:start].rstrip("完全彻底都还一直也")
        return before.endswith(("没", "未", "不", "没有")) or text.startswith(self.words["partial"], end)

    @cached_property
    def _marker_search(self) -> FirstCharSearch:
        """The marker pattern searched from where a marker can begin: one group per kind, it gives
        the regex engine no first characters to skip to (bot/tagging/first_chars.py)."""
        assert self._pattern is not None
        return FirstCharSearch(self._pattern)


@dataclass
class ClauseInfo:
    """One clause of a message as the mood reader sees it."""

    text: str
    tokens: list[str]
    sentence: int  # clauses of one sentence share this number
    asked: bool  # a ？ follows the clause
    folded: str = ""  # the text as the tagger reads it (folded, simplified, typos repaired)
    bounds: frozenset[int] = frozenset()  # offsets in `folded` where a token starts or ends
    markers: list[Marker] = field(default_factory=list)
    moods: set[str] = field(default_factory=set)
    intent: set[str] | None = None  # asking / request, once read (`Language.intent_moods`)
    times: tuple[bool, bool] | None = None  # (a time to come, a time gone by), once read (`Language.times_named`)
    quoted: tuple[tuple[int, int], ...] = ()  # spans of `folded` inside a quotation (`quoted_spans`)
    more_after: bool = False  # the message goes on after the clause with more words (not only punctuation)
    follows: str = ""  # the folded text of the message after the clause (a conjunction there is no clause's)


def read_moods(language: Language, clauses: list[ClauseInfo], intent: bool = True, negative: bool = True,
               grievance: frozenset[str] = frozenset()) -> None:
    """Fill each clause's moods from its markers and those of its neighbours (`asking` and
    `request` only with `intent`, the grievance moods only those in `grievance`: a rule set that
    never looks at them does not pay for them)."""
    words = language.words
    particles, report_questions, question_words = language.question_sets
    for clause in clauses:
        kinds = {m.kind for m in clause.markers}
        if _is_question(clause.tokens, particles, report_questions, question_words, clause.asked):
            clause.moods.add("question")
        if "rhetorical" in kinds or _not_is_question(clause.tokens):
            clause.moods.add("rhetorical")
            clause.moods.discard("question")
        for kind in ("hypothetical", "worry", "expectation"):
            if kind in kinds:
                clause.moods.add(kind)
        if "hypothetical" in kinds and supposes_availability(
                clause.folded, clause.markers, words["availability"], words["staff"], language.only_times):
            clause.moods.discard("hypothetical")
            clause.moods.add("available")  # 还有位置的话我就过去: the business's state, not the customer's
        if "hearsay" in kinds and not _own_voice(clause, words["own_speakers"]):
            # 孩子说老师好凶, 孩子说耳朵疼: the customer's child tells the family's own case
            clause.moods |= {"hearsay", "reported"}
        if "reschedule" in kinds:
            clause.moods.add("rescheduled")
        if "company" in kinds:
            clause.moods.add("accompanying")  # 老公陪我一起过来: he comes along, he is not referred
        for marker in clause.markers:
            if marker.kind == "mild":
                # 效果一般 judges; 一般会肿 expects (一般 is in both lists by default).
                word = clause.folded[marker.start : marker.end]
                if _closes(clause.folded, marker.end):
                    clause.moods.add("mild")
                elif word in words["expectation"]:
                    clause.moods.add("expectation")
        if intent:
            clause.moods |= language.intent_moods(clause)
        if "hearsay" in clause.moods and _own_question(clause, question_words):
            clause.moods -= {"hearsay", "reported"}  # 朋友说有活动，多少钱 / 听说可以分期吗: the customer asks
    _read_premises(language, clauses)
    # Supposing, worrying and hearsay reach to the end of the sentence (万一效果不好，能退吗); the
    # customer's own word ends hearsay: a question of theirs (朋友说有优惠，多少钱) or a clause that
    # starts with 我 (听说会肿，我做完是有点肿).
    for previous, clause in zip(clauses, clauses[1:], strict=False):
        if previous.sentence == clause.sentence:
            carried = previous.moods & {"hypothetical", "worry", "hearsay"}
            if "hearsay" in carried and (clause.tokens[:1] in (["我"], ["我们"], ["自己"], ["我自己"])
                                         or _own_question(clause, question_words)):
                carried.discard("hearsay")
            clause.moods |= carried
    # A strong judgement is the customer's own, not one they pass on (听同事说你们退费特别慢).
    for clause in clauses:
        if negative and ("hearsay" not in clause.moods or _own_voice(clause, words["own_speakers"])) \
                and language.negative(clause.folded):
            clause.moods.add("negative")
    if grievance:
        _read_grievances(language, clauses, grievance)
    _read_settled(clauses)
    # A plan given up (本来想请假的，后来想想还是去吧): the clause that names it, when more words follow.
    for clause in clauses:
        if clause.more_after and any(m.kind == "reversal" for m in clause.markers):
            clause.moods.add("reversed")
    _read_held_back(clauses, words["held_wishes"], words["contrasts"], question_words)
    _read_payment(clauses, words["amount_questions"])
    _read_remedy(clauses)
    _read_attending(clauses, language.sets["visits"], language.sets["attendance"])
    _read_accepted(language, clauses)
    # Moving an arrangement is what the whole sentence does (我之前约的周四，能换到周六吗).
    # A move only supposed (要是需要改时间我会提前说) moves nothing.
    moved = {clause.sentence for clause in clauses
             if "rescheduled" in clause.moods and "hypothetical" not in clause.moods}
    for clause in clauses:
        if clause.sentence in moved:
            clause.moods.add("rescheduled")
    # Running late for what stands (我那个预约可能要晚到十分钟) is what the whole sentence tells, unless it moves it
    # or asks to be late (想晚半个小时过去可以吗, 能晚点到吗: a move of the booking).
    late = {clause.sentence for clause in clauses if any(m.kind == "lateness" for m in clause.markers)} - moved
    late -= {clause.sentence for clause in clauses if "question" in clause.moods or "想" in clause.folded}
    for clause in clauses:
        if clause.sentence in late:
            clause.moods.add("running_late")
    # Putting off reaches back over the whole message (想约的，不过最近忙，下个月再说).
    deferred = False
    for clause in reversed(clauses):
        deferred = deferred or any(m.kind == "deferral" for m in clause.markers)
        if deferred:
            clause.moods.add("deferred")


def _read_premises(language: Language, clauses: list[ClauseInfo]) -> None:
    """A clause that supposes only the customer's act (现在报名的话) when its sentence then asks
    (…哪天能开始上, 最早哪天能上): the premise of an enquiry, `premise` and `asking`, not `hypothetical`."""
    for clause in clauses:
        if "hypothetical" not in clause.moods:
            continue
        found = conditions(clause.folded, clause.markers)
        if not found or not all(is_premise(c, language.words["premises"], language.only_times) for c in found):
            continue
        rest = _SENTENCE_END_PATTERN.split(clause.follows, maxsplit=1)
        tail = rest[0]
        if ("question" in clause.moods or language.asks(clause.folded) or language.asks(tail) or "吗" in tail
                or clause.follows[len(tail) : len(tail) + 1] in ("?", "？")):
            clause.moods.discard("hypothetical")
            clause.moods |= {"premise", "asking"}  # the act is what the question asks about
            language.intent_moods(clause).add("asking")


def read_topics(language: Language, clauses: list[ClauseInfo], named: Sequence[bool],
                enquired: Callable[[int], bool] | None = None) -> None:
    """A clause that only names a thing (物理小班和一对一, 下周开始的那个周三晚上的班), followed in its sentence by
    a question with no subject and no keyword of its own (`named`: the clause has keyword hits): 效果上差别大吗,
    是几点到几点 ask about that thing, so the clause asks with it (`topic` and `asking`). Not a clause that tells
    something (了, 过, 我), nor a question a person opens (周六的钢琴课，孩子能请假吗) or that names its own matter
    (课还剩十节，能退吗 asks for money back). `enquired(ordinal)` limits it to the clauses holding an enquiry
    rule's hit."""
    people = language.subjects
    for ordinal, clause in enumerate(clauses):
        if clause.moods or not clause.follows or clause.follows[0] not in _HELD_BACK_GAP \
                or not _TELLING.isdisjoint(clause.tokens) or (enquired is not None and not enquired(ordinal)):
            continue
        following = clauses[ordinal + 1] if ordinal + 1 < len(clauses) else None
        if following is not None and named[ordinal + 1] and following.sentence == clause.sentence:
            continue
        rest = clause.follows.lstrip(_HELD_BACK_GAP)
        if len(rest) == len(clause.follows) or rest.startswith(people):
            continue  # the clause must end at a comma, and the question must have no subject
        tail = _SENTENCE_END_PATTERN.split(rest, maxsplit=1)[0]
        if "，" in tail or "," in tail:
            continue
        if language.asks(tail) or tail.endswith(("吗", "呢")) or rest[len(tail) : len(tail) + 1] in ("?", "？"):
            clause.moods |= {"topic", "asking"}
            language.intent_moods(clause).add("asking")


def _read_held_back(clauses: list[ClauseInfo], wishes: tuple[str, ...], contrasts: tuple[str, ...],
                    question_words: tuple[str, ...]) -> None:
    """A wish closed with 的 and a contrast after it that asks nothing to the sentence's end (想约的，
    但是下个月才回国): the wish is held back, `reversed`. 想约的，但是周六还有位置吗 still books."""
    for clause in clauses:
        rest = clause.follows.lstrip(_HELD_BACK_GAP)
        if not rest.startswith(contrasts) or not clause.folded.rstrip(_CLOSING_PARTICLES[:-1]).endswith("的") \
                or not any(wish in clause.folded for wish in wishes):
            continue
        tail = _SENTENCE_END_PATTERN.split(rest, maxsplit=1)[0]
        if not any(word in tail for word in (*question_words, "吗", "?", "？")) and rest[len(tail) : len(tail) + 1] \
                not in ("?", "？"):
            clause.moods.add("reversed")


def _read_grievances(language: Language, clauses: list[ClauseInfo], wanted: frozenset[str]) -> None:
    """The grievance moods of each clause (bot/tagging/grievance.py), staff read over its sentence."""
    grievances, money = language.grievances, language.words["money_words"]
    for clause in clauses:
        sentence = None
        if language.grievance_trigger.search(clause.folded) is None:
            if language.grievance_spanning is None:
                continue  # most clauses: one search
            sentence = "，".join(other.folded for other in clauses if other.sentence == clause.sentence)
            if language.grievance_spanning.search(sentence) is None:
                continue  # a time overrun or a price misquoted is told over the sentence
        if sentence is None:
            sentence = "，".join(other.folded for other in clauses if other.sentence == clause.sentence)
        clause.moods |= grievances.moods(clause.folded, clause.bounds, language.negative_pattern,
                                         sentence, money, wanted, "rhetorical" in clause.moods)


def _own_voice(clause: ClauseInfo, own_speakers: tuple[str, ...]) -> bool:
    """Every speech marker of the clause is the customer's child's (孩子说, 女儿说): their own case."""
    said = [m for m in clause.markers if m.kind == "hearsay"]
    return bool(said) and all(clause.folded.startswith(own_speakers, m.start) for m in said)


def _read_accepted(language: Language, clauses: list[ClauseInfo]) -> None:
    """A sentence that accepts (这个价位我们能接受, 价格方面没什么问题，就是时间不好排) and in which no clause
    asks (价格可以接受吗, 没问题，那一次多少钱) is `accepted`."""
    accepting = {clause.sentence for clause in clauses if any(
        marker.kind == "acceptance" and clause.folded[marker.start - 1 : marker.start] not in ("不", "没")
        for marker in clause.markers)}
    for sentence in accepting:
        own = [clause for clause in clauses if clause.sentence == sentence]
        if not any("question" in clause.moods or clause.asked or "asking" in language.intent_moods(clause)
                   for clause in own):
            for clause in own:
                clause.moods.add("accepted")


def _read_attending(clauses: list[ClauseInfo], visits: frozenset[str], attendance: frozenset[str]) -> None:
    """A clause whose visit keeps what stands is `attending`: a routine (这周照常过来上), the visit's
    purpose right after it (陪孩子过去考试), or a time pointing back to an arrangement an earlier clause
    tells as made (我已经约了周五的，到时候直接过去就行吧)."""
    made = False
    for clause in clauses:
        kinds = {marker.kind for marker in clause.markers}
        tokens = clause.tokens
        at = [i for i, token in enumerate(tokens) if token in visits]
        if at and ("routine" in kinds or ("anaphoric_times" in kinds and made)
                   or any(tokens[i + 1 : i + 2] and tokens[i + 1] in attendance for i in at)):
            clause.moods.add("attending")
        made = made or "done" in kinds


def _read_remedy(clauses: list[ClauseInfo]) -> None:
    """A sentence that asks whether a service treats a condition, or wishes to come for it (`visit_wishes`:
    想约个针灸，坐骨神经痛), is `remedy`, but for a clause that tells a treatment done (打完水光起了红点，能解决吗
    reports); a clause that tells a condition held before (`chronic`: 我腰本来就疼) is `chronic`, unless it tells
    a treatment done (本来腰就不好，按完更疼了 keeps its report in the clause that does)."""
    for clause in clauses:
        kinds = {m.kind for m in clause.markers}
        if "chronic" in kinds and "treated" not in kinds:
            clause.moods.add("chronic")
    asked = {clause.sentence for clause in clauses if any(m.kind == "visit_wishes" for m in clause.markers)}
    asked |= {clause.sentence for clause in clauses if any(m.kind == "remedy" for m in clause.markers) and (
        "question" in clause.moods or clause.asked or clause.folded.rstrip("啊呀哈").endswith(("吗", "么", "嘛"))
        or any(m.kind == "remedy" and ("不" in clause.folded[m.start : m.end] or "没" in clause.folded[m.start : m.end])
               for m in clause.markers))}
    for clause in clauses:
        if clause.sentence in asked and all(m.kind != "treated" for m in clause.markers):
            clause.moods.add("remedy")


def _read_payment(clauses: list[ClauseInfo], amount_questions: tuple[str, ...]) -> None:
    """A clause that handles a payment (定金刚转你了, 报名费能开发票吗) is `payment`, unless its sentence
    asks an amount (上次付了两千定金，这次还要补多少; 转账的话多少钱): then a price is asked after all."""
    for clause in clauses:
        if any(m.kind == "payment" for m in clause.markers) and not any(
                other.sentence == clause.sentence and any(word in other.folded for word in amount_questions)
                for other in clauses):
            clause.moods.add("payment")


def _read_settled(clauses: list[ClauseInfo]) -> None:
    """不用/不必 after something done in the same sentence (已经约好了，不用再打电话了): settled."""
    done_in: int | None = None  # the sentence of the last `done` marker seen
    for clause in clauses:
        for marker in clause.markers:
            if marker.kind == "done":
                done_in = clause.sentence
            elif marker.kind == "no_need" and done_in == clause.sentence:
                clause.moods.add("settled")


# Around 还是 meaning "still" or "rather" rather than "or": 我还是想, 三天了还是肿, 还是很油, 还是不行.
_NOT_BEFORE_CHOICE = frozenset("我 你 他 她 我们 你们 他们 她们 咱们 孩子 了 也 都 但 可 却 就".split())
_NOT_AFTER_CHOICE = frozenset("很 有点 有些 挺 蛮 比较 一样 老样子 会 要 想 得 算了 不 没 没有 不太 不是 在 那样 这样"
                              " 没什么 一直 照样 没变".split())


def _still(before: str, after: str) -> bool:
    """还是 as "still" before 只 or a negated word (英语还是只会说hello, 还是不敢开口); a negated repeat of
    the word before it offers a choice (去还是不去, 上还是不上)."""
    if after[:1] == "只":
        return True
    return after[:1] in "不没" and not after[1:].startswith(before[-1:])


# Two-character words that open with 想 and wish for nothing.
_NOT_WISHES = frozenset("想法 想象 想到 想起 想念 想必 想通 想开 想来".split())


# A wish the segmenter glued to its subject because a keyword says so (同事也想, 我也要).
_GLUED_WISHES = ("也想", "还想", "都想", "很想", "也要", "还要", "都要")


def _closes(text: str, end: int) -> bool:
    """Nothing but particles after `end`: the word closes its clause (效果一般吧)."""
    return all(char in _CLOSING_PARTICLES for char in text[end:])


def _own_question(clause: ClauseInfo, question_words: frozenset[str]) -> bool:
    """The customer's own question: 吗/A-not-A, or a question word (多少钱, 怎么收费)."""
    return "question" in clause.moods or any(
        token in question_words or (len(word) > 1 and token.startswith(word))
        for token in clause.tokens for word in question_words)


def _is_question(tokens: list[str], particles: frozenset[str], report_questions: frozenset[str],
                 question_words: frozenset[str], asked: bool) -> bool:
    last = len(tokens) - 1
    while last >= 0 and tokens[last] in "啊呀啦哈哦喔嘞":
        last -= 1
    if last < 0:
        return False
    if tokens[last] == "呢" and not asked and _states_with_ne(tokens, last):
        pass  # 还肿着呢, 还没好呢: 呢 after a lasting state states it; an A-not-A below may still ask
    elif tokens[last] in particles and last > 0 and _reported(tokens, last, report_questions):
        # A bare 不/没 closing the clause asks (可以退不, 有名额没); after another negator it denies.
        return tokens[last] in "吗么嘛呢" or tokens[last - 1] not in ("不", "没", "没有", "了")
    text = "".join(tokens)
    # Both A-not-A forms hold a 不 or 没: most clauses are spared the walks over their tokens.
    if ("不" in text or "没" in text) and (any(_a_not_a(token) for token in tokens) or _split_a_not_a(tokens)):
        return True
    return asked and question_words.isdisjoint(tokens)


def _states_with_ne(tokens: list[str], last: int) -> bool:
    """呢 closing a clause that asks nothing: after durative 着 (还肿着呢, 正上着课呢) or in a
    还…呢 / 还没…呢 clause without a question word or 能/可以 (还疼呢, 还没消呢) it states."""
    before = tokens[last - 1] if last > 0 else ""
    if before.endswith("着"):
        return True
    return any(token.startswith("还") for token in tokens[:last]) and not any(
        token in _NE_ASKS or token.startswith(("能", "可以", "有没")) for token in tokens[:last])


# With these a 还…呢 clause asks after all (还有别的呢, 还要多久呢): handled as before.
_NE_ASKS = frozenset("有 要 能 会 多少 几 什么 怎么 哪 哪里 谁 多久 啥 为什么 为啥 咋 如何".split())


def _reported(tokens: list[str], last: int, report_questions: frozenset[str]) -> bool:
    """The particle asks about the clause itself, not about a report (正常吗, 是正常的吗)."""
    before = last - 1
    if before > 0 and tokens[before] == "的":
        before -= 1
    return before >= 0 and tokens[before] not in report_questions


def _a_not_a(token: str) -> bool:
    """能不能, 疼不疼, 可不可以, 有没有: one token asking both ways."""
    return len(token) >= 3 and token[1] in "不没" and token[0] == token[2]


def _split_a_not_a(tokens: list[str]) -> bool:
    """贵/不/贵, 疼/不/疼, 营业/没/营业, 能来/不/能来: the same question cut into three tokens; or two,
    the negator glued to the second half (来/不来上课, 能来/不能来, 能/来/不能/来)."""
    return any(
        (tokens[i] in ("不", "没") and i + 1 < len(tokens) and (
            tokens[i - 1][-1:] == tokens[i + 1][:1] or _asks_back(tokens[i - 1], tokens[i + 1])))
        or (len(tokens[i]) > 1 and tokens[i][0] in "不没" and (
            _asks_back(tokens[i - 1], tokens[i][1:]) or (1 < i < len(tokens) - 1 and tokens[i - 2] == tokens[i][1:]
                                                          and tokens[i + 1] == tokens[i - 1])))
        for i in range(1, len(tokens))
    )


def _asks_back(before: str, rest: str) -> bool:
    """`rest` (after 不/没) repeats the token before it: its last character when that is one
    character (来/不来上课), the whole token when longer (能来/不能来; not 好的/不好意思)."""
    return rest.startswith(before) if len(before) > 1 else rest[:1] == before


def _not_is_question(tokens: list[str]) -> bool:
    """这不是骗人吗: 不是 … 吗 asks for agreement; it asserts, it does not deny."""
    return "不是" in tokens and tokens[-1:] == ["吗"]


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation that a verb of saying opens (她说“我要投诉”, 老板讲：「不满意全退」):
    someone's words, reported. A word in quotation marks without one (所谓的“专业”) is irony, kept."""
    if not _QUOTE_OPENERS.search(text):
        return []
    return [match.span(1) for match in _QUOTATION.finditer(text)]


_QUOTE_OPENERS = re.compile("[“\"「『‘]")
_QUOTATION = re.compile("(?:[说讲问道喊骂]|写着)[我你他她]?[:：,，]?\\s*[“\"「『‘]([^”\"」』’]+)[”\"」』’]")


def sentence_numbers(text: str, starts: Sequence[int]) -> list[int]:
    """The sentence number of each offset in `starts` (sorted): sentences end at 。！？ and newlines."""
    if not _SENTENCE_END_PATTERN.search(text):
        return [0] * len(starts)
    numbers, sentence, pos = [], 0, 0
    for start in starts:
        sentence += sum(1 for char in text[pos:start] if char in _SENTENCE_END)
        pos = start
        numbers.append(sentence)
    return numbers
