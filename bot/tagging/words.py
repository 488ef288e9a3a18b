"""The engine's default words: the moods a clause can have and the marker lists of `[language]`.

Each list here is operator data with a default: a rules file's `[language]` table replaces a list by
name (bot/tagging/language.py compiles them). `DEFAULT_ALIASES` is the default vocabulary of Latin
words and pinyin that `[aliases]` extends.
"""

from __future__ import annotations

from bot.tagging.grievance import DEFAULT_GRIEVANCE, GRIEVANCE_MOODS

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
    "from_work",  # 跟公司请了半天假: the customer's leave from their job, no leave from a class
    "during",  # 打水光的时候有点疼, 做光子的时候脸上火辣辣的: felt while the treatment was done, no reaction after it
    "confirming",  # 确认一下，明天下午三点对吧; 我那个号确认了: an arrangement checked, nothing new asked
    "informed",  # 光子的价钱我之前打听过了, 我问过价格了: the customer found out already, the clause asks nothing
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
    "changed",  # 换成连座, 改成IMAX厅: what was arranged swapped for another (a `swaps` word, no time after it)
    "mild",  # 一般, 还行, 凑合 closing the clause: a lukewarm judgement, not a complaint
    "settled",  # 不用/不必 … after 已经…了 in the sentence: no longer needed because it is done
    "negative",  # an intensifier right before a negative word (太慢, 真冤, 也太冲了), not negated
    "asking",  # a question word in the clause (多少, 什么时候, 哪): the customer asks something
    "remedy",  # the sentence asks whether a service treats a condition (你们的修复能解决吗) and tells no treatment done
    "chronic",  # a condition held before (我腰本来就疼, 颈椎不舒服好几年了): the reason to come, no reaction
    "self_judged",  # the keyword is a strong judgement (太差) of the customer's own (孩子数学太差, 我忍痛能力很差)
    "payment",  # a payment handled (交了, 转账, 收据, 发票, 报销) in a sentence that asks no amount
    "set_aside",  # the keyword's matter put aside (价格先不谈, 报价的事先放一边, 费用另说): nothing asked of it now
    "request",  # a wish or a request in the clause (想, 希望, 帮我, 麻烦, 可以…), not negated
    # Readings of an opt-out hit that ask for no opt-out (bot/tagging/opt_out.py; the opt-out rule refuses them):
    "one_thing",  # one thing not to be sent again, not the messages (合同不用再发了, 我要退订房间)
    "other_channel",  # another way of reaching the customer asked for (别打电话 在开会 微信说)
    "corrected",  # a send done wrong (别再发错地址了)
    # Not a complaint: a chat message sent to the wrong place (刚才的语音发错了, 发错人了，不是给你的)
    "misdirected",
    # Not the customer's complaint: one made against them (邻居投诉我们了, 被楼上投诉了, 客人给我差评)
    "accused",
    # Not a complaint about the business: another business's fault told beside a preference for this one
    # (楼下那家态度真差，还是你们家好)
    "compared",
    "someone_else",  # someone else's opt-out or another recipient (朋友说她退订了, 别发给我爸)
    "taken_back",  # an opt-out told as past, then a wish or a question (之前退订了，现在想约体验课)
    "for_now",  # a refusal limited to a time named before it (下午别给我打电话，要去接孩子)
    "muted",  # the customer muted the business themselves (班级群我设了免打扰)
    # A keyword echoed as a question and then denied (投诉？不存在的; 差评？给你们五星都嫌少): no one asks it
    "rebutted",
    # Anger said in jest, its sentence going on to delight (气死我了，又被你们家效果圈粉一次): no complaint
    "teasing",
    # Someone's words passed on and doubted (听别的家长说你们老师上课玩手机，不会是真的吧): the customer asserts nothing
    "doubted",
    # Someone's words passed on in a message that asks nothing (朋友说你们鉴定挺准): the customer wants nothing now
    "overheard",
    # Something done already (`done`, `experienced`), told in a message that asks nothing (会籍已经续好了，谢谢)
    "recounted",
    "fewer",  # how often or how much is refused, not the send (不用每次都发, 别一天发三遍)
    "remembered",  # a reminder refused because the customer keeps it in mind (不用提醒了，我手机上设了闹钟)
    *GRIEVANCE_MOODS,  # ways of complaining without a complaint word (bot/tagging/grievance.py)
)
# What an `intent = true` rule needs in its clause: a question, a question word, or a request.
INTENT_MOODS = frozenset({"question", "asking", "request"})
# Rules that negation cancels (intents, requests, reports) leave these moods out by default.
DEFAULT_NOT_MOOD = ("hypothetical", "worry", "deferred", "passed", "praised", "settled", "named", "experienced",
                    "quoted", "reversed", "set_aside", "rebutted")

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
                 "老板", "她", "他", "人家", "别人", "有人", "网友",
                 # the business's workers and the wider family, reported as often (工人师傅说, 婆婆说, 室友讲)
                 "师傅", "工人", "设计师", "婆婆", "公公", "嫂子", "小姨", "奶奶", "外婆", "室友",
                 # the business's accounts, and the child's own school (财务说退款下周一到账,
                 # 学校那边说要请假得提前一天)
                 "财务", "学校",
                 # other customers (有学员说要去投诉你们, 有个客人讲)
                 "学员", "客人", "顾客", "兄弟", "哥们"),
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
    # A result said as its own token after the keyword and closed by 了 is done too (我约/到/了, 终于约/上/了); not
    # 约到了吗 (asked) nor 想约到 (wished).
    "done_results": ("到", "上", "好"),
    # A matter the keyword names carried through: a result that closes the keyword's clause with 了, the verb it
    # completes glued on or not (退款/到/了, 座位/我/选好/了, 换货/已经/寄/回来/了, 车贷/批下来/了). Told, not asked nor
    # wished, not denied before it (还没到) nor still to come (快到了, 马上就好了): the matter is `passed`.
    "completions": ("到", "好", "完", "上", "回来", "下来", "过来"),
    "expectation": ("会", "可能", "可能会", "容易", "一般", "通常", "应该会", "总会", "会不会"),
    "rhetorical": ("难道", "凭什么", "凭啥", "怎么就", "为什么不", "为啥不", "怎么能", "哪能", "岂", "何必",
                   "怎么可以不"),
    "deferral": ("再说", "再看", "再考虑", "再联系", "再决定", "再商量", "再议", "考虑考虑", "考虑一下",
                 "先放", "放一放", "先放放", "不急", "不着急", "不用急", "就算了", "回头再", "到时候再",
                 "改天再", "以后再", "下次再", "有空再", "过段时间", "过阵子", "等*再", "下个月再",
                 "明年再", "年后再", "之后再", "后面再", "晚点再", "过两天再", "过几天再", "回来再", "完再", "了再",
                 # still making up one's mind, or waiting to see (方案我再想想, 我等等看)
                 "再想想", "再想一想", "想想再", "还没想好", "没想好", "再琢磨", "再斟酌", "先不定", "暂时不定",
                 "等等看", "再等等"),
    "resolved": ("消了", "退了", "好了", "没了", "褪了", "消失", "消退", "痊愈", "不见了", "消肿", "恢复了",
                 "好多了", "退掉了", "看不出来", "看不出", "不明显了", "没有了", "恢复正常", "正常了", "看不到了",
                 "看不见了", "已经到账", "已到账", "全消", "全退", "全好", "全没了", "都消", "都退", "都好了", "早消",
                 "早好了", "早就好了", "搞定了", "处理好了", "补上了", "补好了", "翻篇了", "没感觉了", "没什么感觉了",
                 "感觉不到了",
                 # money back received (上个月的学费退回了, 定金到账了)
                 "退回了", "退回来了", "到账了",
                 # a defect repaired (上次漏水那个师傅修好了, 蓝屏的那台已经修好了); 修好 alone is asked of what
                 # is still broken (不制冷，什么时候能修好)
                 "修好了", "已修好", "修复了", "已修复", "换好了", "弄好了", "解决了", "已解决", "没问题了", "能用了",
                 "好使了"),
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
    # Degree words before a praise that is a clause of its own, judging what the clause before it names
    # (价格我看过了，挺合理的; 学费问过了，还不错): that clause is `praised` too.
    "praise_degrees": ("挺", "很", "还", "还算", "算", "蛮", "真", "真的", "非常", "特别", "比较", "也", "都", "确实",
                       "超", "相当", "十分"),
    # Handling a payment rather than asking a price: money paid or sent (交了, 付过, 转你了, 花了), a
    # receipt or an invoice, a claim on expenses, a way to transfer. A clause with one is `payment`
    # unless its sentence asks an amount (`amount_questions`): 「学费交好了，麻烦开张收据」 asks no price,
    # 「上次付了两千定金，这次还要补多少」 does.
    "payment": ("交了", "交好了", "交过", "已交", "付了", "付好了", "付过", "已付", "花了", "充了", "转了", "转你",
                "转给你", "转过去", "转好了", "已转", "转账", "对公", "汇款", "收据", "发票", "开票", "报销", "凭证",
                "收款码", "付款码", "扫码", "到账", "收到没", "收到了吗", "医保", "收到了", "拿到了", "领到了", "领了",
                # the way to pay, not what it costs (学费怎么交, 可以刷信用卡吗, 定金交到哪里)
                "怎么交", "怎么付", "怎么支付", "如何支付", "如何付款", "在哪交", "在哪里交", "哪里交",
                "交到哪", "交给谁", "付给谁", "刷卡", "信用卡", "支付宝", "微信支付", "微信付", "线上付", "到店付",
                # settling up, a visit to pay (周五下班过去结账)
                "付款", "结账", "买单", "付尾款", "结尾款", "交尾款", "补尾款",
                # what was paid, described or checked against the books (那天交的定金是五百还是八百, 我对下账)
                "交的", "付的", "对账", "对下账", "对一下账"),
    # A sentence with one of these asks the price after all, whatever payment it handles (上次付了两千定金，这次还要补
    # 多少; 能刷信用卡分三期吗: an instalment is a price question). `#` is a number.
    "amount_questions": ("多少", "几多", "几钱", "怎么算", "怎么收", "分期", "分#期"),
    # Moving what was arranged: 约好的时间改到周三 is still a booking (the `done` of 约好的 does not
    # count in such a clause); a school's 课改到周日 is leave.
    "reschedule": ("改到", "改成", "换成", "调成", "改期", "改个时间", "改时间", "改一下时间", "挪到", "挪一下", "换到",
                   "换个时间", "换时间", "调到", "调整到", "推到", "推迟到", "延到", "延后到", "提前到", "顺延到",
                   "往后挪", "推迟", "延后", "往后推", "往后延", "往前挪", "往前提", "提前一",
                   # a swap of two times (周二那节课能和周四的换一下吗, 这周六的跟下周六对调)
                   "和*换一下", "跟*换一下", "和*对调", "跟*对调", "和*调换", "跟*调换", "对调一下", "调换一下"),
    # A swap moves the arrangement only to a time (改成周五, 换成17:30的, 调成晚上那节); to anything else it changes
    # what was arranged (背景改成香槟色, 换成仿真花, 能不能改成水光针), which moves nothing.
    "swaps": ("改成", "换成", "调成"),
    # The party of a booking changed (人数从六个变成五个, 能多加一个人吗, 我们人变少了): what was arranged is `changed`
    # as by a swap. `*` is a gap of up to three characters, `#` a number.
    "party_changes": ("人数*变", "人数*改", "人变少", "人变多", "加#个人", "少#个人", "多#个人", "少来#个", "多来#个"),
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
    # The customer's job: a leave in a clause with one of these is taken from work (跟公司请了半天假, 我明天公司请假),
    # no leave from a class or a visit: `from_work`, which a rule with a word of the 请假 group refuses.
    "workplaces": ("公司", "单位", "领导", "老板", "上班", "厂里", "部门", "年假", "调休"),
    # A wish to come or to be treated (想约个针灸，坐骨神经痛): the condition told with it is the reason to come,
    # `remedy` as a question whether a service treats it is, unless its clause tells a treatment done.
    "visit_wishes": ("想约", "想预约", "想来", "想过来", "想做个", "想做一次", "想试试", "想调理", "来调理", "想调",
                     "约个", "预约个", "想挂个号", "挂个号"),
    # A strong negative judgement: one of `intensifiers` right before one of `negative` (太慢了, 这钱花得
    # 真冤, 说话也太冲了), not after 不/没 (不太慢). 贵 is a price concern, not listed.
    # 越来越 and 一天比一天 judge a decline: 饭菜一天比一天差 (一天比一天好 praises: 好 is not negative).
    "intensifiers": ("太", "也太", "真", "真是", "真的", "好", "超", "特别", "非常", "这么", "那么", "实在", "巨", "贼",
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
    # What may stand between 有 and the thing of a keyword that opens with it (有裂纹, 有异味): a measure or a
    # count, 有条裂纹, 有股异味, 有几条划痕, 有点杂音 (see concepts.with_measures).
    "measures": ("条", "道", "个", "块", "股", "处", "片", "点", "些", "根", "颗", "粒", "层", "几条", "几道", "几个",
                 "几处", "几块", "一条", "一道", "一个", "一块", "一股", "一点", "一些", "一处", "两条", "两道", "两个",
                 "好几条", "好几处", "好几个", "好多"),
    # Ways of asking when, one for another: a keyword that opens with one (什么时候开工, 啥时候发货) is also
    # heard with any of them and a modal between (哪天能开工, 几号可以发货; see concepts.asked_when).
    "when_words": ("什么时候", "啥时候", "什么时间", "哪天", "哪一天", "几号", "几时", "何时"),
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
                    "功能", "渠道", "方式", "部门", "窗口", "专员", "机制", "标准", "模板", "公告", "活动页", "制",
                    "证书", "奖状"),
    "named_links": ("处理", "申请", "办理", "相关", "服务", "管理"),
    # Heads of `topic_heads` that are a text to read or the paper a result earns: asked for (退款政策写在哪,
    # 预约须知哪里能看, 考级证书什么时候发), they are what the customer wants, not what they govern (退款流程发我一下
    # still asks).
    "documents": ("政策", "制度", "规定", "规则", "条款", "须知", "说明", "证书", "奖状"),
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
    # People outside the customer's family: a clause that opens with one (or their home, 朋友家, 邻居家的) and names
    # not the customer tells that person's own case (朋友家洗衣机也有异味, 同事打完也肿了好几天): `hearsay`. Neighbours
    # by where they live only with their home (隔壁家): 隔壁, 楼上 alone are as often a room or a floor of the business.
    "outsiders": ("朋友", "闺蜜", "同事", "同学", "老同学", "邻居", "室友", "发小", "隔壁家", "楼上家", "楼下家",
                  "对门家", "别人", "有人", "人家", "网友"),
    "household": ("老公", "老婆", "对象", "爱人", "男朋友", "女朋友", "家里人", "家人"),
    "also": ("也", "也想", "也要", "也打算", "都想", "也准备"),
    "also_wants": ("想", "打算", "准备", "来", "报", "约", "学", "做", "生", "有兴趣", "感兴趣", "动心", "心动", "要来",
                   "要做", "要报", "要约", "要学", "要生"),
    # A plan given up: its clause is `reversed` when the message goes on after it (本来想请假的，后来想想还是去吧,
    # 原本想给孩子请假的，结果他自己非要去, 本来约了明天参观，临时有事，取消吧).
    # The keyword's matter put aside, closing its clause with at most four characters between (价格先不谈,
    # 报价的事先放一边, 价钱是多少先不说, 费用另说): `set_aside`, nothing asked of it now (价格先不说，效果怎么样
    # asks the effect).
    "set_aside": ("先不谈", "暂时不谈", "暂且不谈", "先不说", "暂且不说", "且不说", "先不提", "暂时不提", "先放一边",
                  "放一边", "先放放", "放一放", "先不急", "不急", "不着急", "另说", "再说", "以后再说", "回头再说",
                  "先不考虑", "暂不考虑", "其次", "次要", "不重要"),
    "reversal": ("本来想", "原本想", "本想", "原来想", "本来打算", "原本打算", "原来打算", "本来要", "原本要",
                 "本来准备", "原本准备", "本来约", "原本约", "原来约"),
    # A wish held back (`reversed` too): a clause with one of `held_wishes` that closes with 的, and the
    # next clause opens with one of `contrasts` and asks nothing: 想约的，但是下个月才回国; 挺想报这个班的，
    # 不过得先问问孩子爸爸. Not 想约的，周六下午可以吗, nor 想约的，但是周六还有位置吗.
    "held_wishes": ("想", "打算", "准备"),
    # A wish denied twice and excused (`reversed` too, bot/tagging/moods.py): 也不是不想来，这阵子出差; 不是不想约，
    # 是最近太忙了, and the reason after it when it opens with one of `reasons` (是孩子下学期要转学, 就是时间凑不上).
    "excuses": ("不是不想", "不是不愿意", "不是不愿", "不是不打算", "不是不肯", "不是不要"),
    "reasons": ("是", "就是", "主要是", "只是", "而是", "实在是", "因为", "但是", "可是", "不过", "我是", "主要"),
    "contrasts": ("但是", "但", "不过", "可是", "可", "只是", "就是"),
    # What accepts a price or a term (这个价位我们能接受, 价格方面没什么问题, 其实不算贵, 报名费涨了我可以理解,
    # 收费是高了点，不过也还行): its clause is `accepted`, with the clauses of its sentence before it and after it up
    # to a contrast (bot/tagging/moods.py), unless it asks or the sentence asks an amount; not negated (不能接受, 不值).
    "acceptance": ("可以接受", "能接受", "接受得了", "还能接受", "没什么问题", "没问题", "心里有数", "不算贵", "不贵",
                   "觉得还好", "倒还好", "也还好", "不在乎", "无所谓", "不是问题", "能理解", "可以理解", "值", "值得",
                   "值了", "划算", "物有所值", "也还行", "倒也还行", "按你说的",
                   # a mishap let go (拖堂十分钟没关系, 晚了一点不要紧)
                   "没关系", "不要紧", "不介意", "不碍事",
                   # the price judged fair, no question of it (服务对得起这个价, 价格是真良心, 你们的最便宜)
                   "对得起", "良心", "最便宜", "最实惠", "公道"),
    # Felt while the treatment was being done, no reaction after it (打水光的时候有点疼, 做光子的时候脸上火辣辣的):
    # a clause with one is `during`, and so is the next clause of its sentence when the clause is nothing but it
    # (做的时候，脸上有点烫); not one said after the treatment (打完针的时候就肿了). `*` is a gap.
    "during": ("做*的时候", "打*的时候", "按*的时候", "扎*的时候", "灸*的时候", "刮*的时候", "拔*的时候", "注射的时候",
               "治疗的时候", "操作的时候", "做*的过程中", "打*的过程中", "术中", "过程中"),
    # An arrangement checked, nothing new asked (确认一下，周六上午十点的面诊对吧; 我那个号确认了，周三下午两点):
    # a sentence with one of `confirming` and no clause that asks (a tag question of `tag_questions` closing it
    # asks nothing), nor another clause that wishes, is `confirming`; 确认一下周六还有位置吗 still books.
    "confirming": ("确认一下", "确认下", "确认了", "我确认", "核对一下", "核实一下", "再确认", "跟你确认", "跟您确认",
                   "确定一下"),
    "tag_questions": ("对吧", "是吧", "没错吧", "对不对", "对么", "是么"),
    # What the customer found out already (光子的价钱我之前打听过了, 我之前问过价格了, 学费我查清楚了): a clause
    # with one that asks nothing is `informed`, nothing asked of what it names (价格我问过了，能便宜点吗 asks in the
    # next clause).
    "informed": ("打听过", "查过", "问过", "看过", "了解过", "咨询过", "比较过", "对比过", "比过", "算过", "问清楚了",
                 "了解清楚了", "打听清楚了", "查清楚了", "问清楚", "了解清楚", "打听清楚", "查清楚",
                 # told by the staff, or compared already (顾问跟我讲清楚了, 套餐价格对比了几家)
                 "讲清楚", "说清楚", "讲明白", "说明白", "对比了", "比较了"),
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
                "在楼下等", "在门口等", "送我过来", "送我来", "送我去", "接我", "陪着", "就陪着", "陪同"),
    "visits": ("来", "去", "过来", "过去", "到", "直接过来", "直接过去", "送过来", "送过去", "到店", "来店", "到院"),
    "routine": ("照常", "照旧", "按时", "准时", "老时间", "原来的时间", "原定的时间", "按原来的", "按原计划", "原计划",
                "按计划"),
    "attendance": ("上课", "上", "听课", "考试", "考级", "考", "参加", "开会", "练", "练琴", "比赛", "演出",
                   "彩排"),
    "anaphoric_times": ("到时候", "到时", "届时"),
    # Taking someone to what stands (放学后我直接送过去, 周五我送孩子过来): the visit is `attending`, the customer
    # brings them, nothing new is booked; 送我过去 (someone brings the customer) is not.
    "escorts": ("送",),
    # `#` is a number (三, 两, 10); a measure after it (一双鞋, 两件衣服) for a verb and its object.
    "separable_inserts": ("了", "过", "完", "个", "次", "下", "一次", "一下", "一个", "#次", "#个", "第#", "#",
                          "#件", "#双", "#条", "#床", "#套", "#张", "#台", "#只", "#辆", "#颗", "#组", "#部"),
    # Verbs whose keyword (洗鞋, 换机油, 清洗空调, 空调清洗) is also found split, inverted and with the
    # object's full noun (洗一双鞋, 机油该换了, 鞋子洗完了): see bot/tagging/verb_object.py.
    "verbs": ("洗", "剪", "染", "烫", "拍", "修", "换", "补", "拔", "种", "贴", "擦", "做", "办", "喷", "装", "拆",
              "订", "配", "验", "测", "查", "充", "续", "退", "寄", "抽", "磨", "剃", "刮", "涂", "敷", "打", "镶",
              "封", "住", "按", "灸", "扎", "揉", "捏", "卸", "熏", "清洗", "更换", "维修", "修理", "拍摄", "保养",
              "清理", "护理", "改造"),
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
    # Reading an opt-out (bot/tagging/opt_out.py): what the business sends, whose refusal opts out (活动消息别发了);
    # a clause that names one of these refuses the messages, whatever else it names.
    "messages": ("消息", "信息", "讯息", "短信", "推送", "通知", "广告", "活动", "提醒", "推广", "营销", "促销", "优惠",
                 "群发", "推销", "推荐", "回访", "资讯", "公众号", "文章", "新品", "上新", "新款", "祝福", "宣传",
                 "福利", "朋友圈", "特价", "打折", "折扣", "秒杀"),
    # One thing sent for one matter: refused by name (合同不用再发了, 不用再发定位了), it is that thing the customer
    # needs no more (`one_thing`), not the business's messages; 确认, the errand of one call (不用再打电话确认了).
    "sent_things": ("合同", "协议", "定位", "位置", "地址", "照片", "相片", "图片", "截图", "发票", "收据", "小票",
                    "单子", "行程单", "报价单", "报名表", "申请表", "尺码表", "表格", "链接", "材料", "文件",
                    "二维码", "验证码", "快递", "包裹", "顺丰", "中通", "圆通", "韵达", "确认", "座位", "注意事项",
                    "须知", "说明书"),
    # One thing booked: 退订 of it cancels a booking (我要退订房间, 房间退订了, 那个套餐我退订了): `one_thing` too.
    "booked_things": ("房间", "房", "酒店", "民宿", "订单", "套餐", "机票", "车票", "门票", "票", "座位", "包间",
                      "房型", "床位", "桌", "场地", "预订", "预定", "会员"),
    # Ways of reaching the customer that they ask for instead of the one refused (别打电话，微信说; 别发语音，打字):
    # `other_channel`, a preference, no opt-out.
    # A part of the message that names a message (天天发消息) asks for no way.
    "kept_channels": ("微信", "打字", "文字", "发文字", "留言", "私信", "发我手机", "发到我手机", "发我邮箱",
                      "发到邮箱", "邮箱", "邮件", "发给我", "发我", "找我", "联系我"),
    # The customer is busy now (在开会, 在开车, 在地铁上): with a way of `kept_channels` asked, a call or a voice
    # message refused is a preference for now (`other_channel`), while 「以后别打电话了，有事微信说」 refuses calls.
    "busy": ("在开会", "开会", "在开车", "开车", "在上班", "在上课", "在忙", "在地铁", "地铁上", "在路上", "在外面",
             "在医院", "在飞机上", "正在", "不方便", "接不了", "陪床", "值班", "上课", "上课时", "上班时间"),
    # What denies a word the customer echoes as a question (投诉？不存在的; 不满意？怎么可能; 差评？给你们五星都嫌少):
    # in the clause after an echo (a clause of at most six characters closed by ？), it makes the echo
    # `rebutted`, unless that clause passes on someone's words (说, 讲: 退款？财务说不可能).
    "rebuttals": ("不存在", "怎么可能", "不可能", "哪有", "哪里有", "哪会", "哪能", "没有的事", "想多了", "开玩笑",
                  "才不会", "才不", "不至于", "谈不上", "说不上", "五星", "好评", "夸都来不及"),
    # What tells delight in the business or its work (圈粉, 离不开, 舒坦): a complaint word whose sentence goes on to
    # one, not denied, is said in jest (`teasing`: 气死我了，又被你们家效果圈粉一次; 烦死了，不过做完整个人都舒坦了).
    "delight": ("圈粉", "离不开", "舒坦", "爱上", "喜欢", "上瘾", "舍不得", "想笑", "乐开花", "美滋滋"),
    # Thanks for help given (谢谢你帮我抢到周六的位置, 多谢帮我约好了): a clause that opens with one, then 帮 or 替 and
    # a verb with a completion (了, 到, 好, 上), tells what is `done`; 谢谢，帮我约周六 still asks.
    "thanks": ("谢谢", "感谢", "多谢", "谢了", "辛苦"),
    # What doubts words passed on (听说你们老师上课玩手机，不会是真的吧): the clause that passes them on is `doubted`.
    "doubts": ("是真的吗", "真的假的", "是真的假的", "不会是真的", "是不是真的", "真的吗", "真的嘛", "可信吗", "靠谱吗",
               "是这样吗", "有这回事吗", "有这事吗"),
    # How often or how much of one send comes (每次, 每张, 三遍, 这么多): said after the refusal in its clause
    # (不用每次都发确认短信, 别一天发三遍, 海报不用每张都发我), it refuses the frequency, not the messages
    # (`fewer`); a schedule (别每天都推活动了) still refuses them. `#` is a number (三, 两, 几, 10).
    "frequencies": ("每次", "每回", "每张", "每条", "每篇", "每一", "#遍", "好几遍", "这么多", "那么多", "这么勤",
                    "那么勤", "这么频繁", "那么频繁", "太频繁", "重复"),
    # The customer muted or blocked the business themselves (群消息我设置了免打扰, 班级群我设了免打扰): a word of these
    # before the opt-out word in its clause tells what they did, no request (`muted`).
    # The customer keeps it in mind themselves: a refusal in a message that says so refuses a reminder it needs no
    # more, not the business's messages (到期提醒就不用发了，我记着呢; 不用提醒了，我手机上设了闹钟): `remembered`.
    "remembered": ("我记得", "我记着", "记着呢", "记得住", "会记得", "记住了", "忘不了", "不会忘", "定了闹钟",
                   "设了闹钟", "定好闹钟", "设好闹钟", "订了闹钟"),
    "own_settings": ("设置", "设置了", "设了", "设成", "设的", "设为", "开了", "开启了", "调成", "打开了", "我开"),
    # A complaint made against the customer (邻居都投诉我了, 又被楼下投诉了, 顾客给我打了差评): a word of
    # `accusations` with one of `accused_parties` right after it or right before it after 给, or with 被 before it
    # in its clause, and no `senders` word before that 被 (你们店被投诉过吗 asks of the business): `accused`.
    "accusations": ("投诉", "举报", "差评", "告状", "投诉过", "举报过"),
    "accused_parties": ("我", "我们", "俺", "俺们", "咱", "咱们", "我家", "我们家"),
    # A send done wrong (别再发错地址了): a correction (`corrected`), no opt-out.
    "send_faults": ("发错", "发漏", "发串", "寄错", "推错", "传错", "打错", "填错", "发反"),
    # A send fault (`send_faults`) is a chat message gone to the wrong place, no complaint (`misdirected`), where the
    # message says so (发错人了, 不是给你的) or the clause names a chat message before the fault (刚才的语音发错了,
    # 定位是不是发错了), unless it names the business as the sender before it (你们把报告发错人了).
    "misdirected": ("发错人", "发错了人", "发错群", "发错了群", "发串了", "不是给你", "不是发给你", "不是给您",
                    "不是发给您", "不是你们", "不是找你", "打错了"),
    "chat_items": ("语音", "消息", "信息", "定位", "位置", "链接", "图片", "截图", "照片", "表情", "文件", "这句",
                   "这条", "红包"),
    "senders": ("你们", "你家", "贵店", "店里", "客服", "前台"),
    # Another business's fault told to prefer this one (楼下那家态度真差，还是你们家好; 朋友在某家被坑了，还是你们靠谱):
    # a clause naming another business (`other_businesses`) before a preference for this one (`preferences`, then
    # a praise or a word of `preferred_as` in its clause) is `compared`, no complaint about the business.
    "other_businesses": ("别家", "那家", "某家", "别的店", "其他家", "其它家", "别的机构", "其他机构", "另一家",
                         "外面的店", "别的医院", "别的学校", "别的地方", "别处"),
    "preferences": ("还是你们", "还是你家", "还是贵店", "还是这边", "还是这家", "还是咱家", "不如你们", "比不上你们"),
    "preferred_as": ("好", "靠谱", "正规", "放心", "专业", "实在", "强", "省心", "良心"),
    # The messages still come after an opt-out (我已经退订了，怎么还在发), or the customer asks it be confirmed
    # (之前退订了，能帮我确认一下吗): the opt-out stands.
    "still_sent": ("还在发", "还发", "还在推", "还推", "还收到", "还在收到", "一直收到", "还一直", "又发", "又推",
                   "又收到", "照样发", "照发", "怎么还", "确认一下", "确认下", "成功了吗", "成功没", "生效"),
    # An opt-out said by mistake (上次点退订是手滑): taken back.
    "mistaken": ("手滑", "误操作", "不小心", "点错", "误点", "按错", "后悔"),
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

# In this order a marker wins over another that starts where it does (做的时候 is `during`, not the `treated` 做的).
MARKER_KINDS = ("polite", "lateness", "hypothetical", "worry", "hearsay", "mild", "expectation", "rhetorical",
                "deferral", "resolved", "reschedule", "done", "praise", "no_need", "payment", "remedy", "during",
                "treated", "reversal", "chronic", "visit_wishes", "routine", "anaphoric_times", "company",
                "acceptance", "informed", "confirming")
