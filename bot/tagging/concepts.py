"""The shipped vocabulary: groups of words that name one concept (价格 ~ 多少钱 ~ 什么价 ~ 收费...).

An operator writes the words they think of; customers use others. A keyword rule that names any
word of a group gets the whole group as keywords (unless the rule says `expand = false`, or lists
the groups it wants), and each tag it gives that way names the word and the keyword it stands
for: 「什么价（≈价格）」. `[concepts]` in a rule file adds words to a group or adds a group.

Groups are kept narrow on purpose: a word belongs here only if, said by a customer, it almost
always means the group's concept (有送 asks about an offer; 活动 alone does not, 过来 alone does
not book). A word is in one group only, so a keyword never pulls in two unrelated groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bot.tagging.defects import (DEFECT_CUES, DEFECT_FAMILIES, DEFECT_FAMILY, DEFECT_KINDS, DEFECT_SUBGROUPS, DEFECTS,
                                 FAMILY_GUARDS, FAMILY_HEADS, NOT_AS_SHOWN, SHORT_BY)

DEFAULT_CONCEPTS: dict[str, tuple[str, ...]] = {
    # Price, offers, ways of paying.
    "价格": ("价格", "价钱", "价位", "价目", "价目表", "价格表", "报价", "报个价", "多少钱", "多钱", "几多钱", "啥价",
           "什么价", "什么价格", "什么价位", "收费", "怎么收", "怎么收费", "收多少", "要多少钱", "怎么算钱", "怎么卖",
           "费用", "花费", "花多少", "要花多少", "贵", "太贵", "便宜", "便宜点", "便宜一点", "实惠", "划算",
           "性价比", "优惠", "优惠券", "优惠价", "折扣", "打折", "打个折", "几折", "特价", "活动价", "团购", "团购价",
           "团购券", "代金券", "抵用券", "满减", "福利", "有送", "送几次", "送什么", "赠品", "套餐", "会员价",
           "新人价", "体验价", "首单", "分期", "分几期", "免息", "原价", "差价", "涨价", "降价", "一口价", "砍价",
           "有没有活动", "什么活动", "优惠活动", "预算", "送多少", "新客价", "老客价", "学生价", "单价", "门市价",
           "折后价", "秒杀价", "特惠价", "底价", "最低价", "加钱", "另外加钱", "额外加钱", "加价", "怎么计费", "按*算",
           "按*收", "按*交", "按*付", "按*缴", "几钱", "什么行情", "啥行情",
           # Money asked without a price word: how it is counted, whether it costs extra, what is free.
           "钱怎么算", "钱*怎么算", "费用怎么算", "怎么收钱", "交多少", "要交多少", "补多少", "要补多少",
           "另外交钱", "额外交钱", "另外付", "另付", "要另外", "是送的", "送的吗", "送的还是", "赠送", "免费送",
           "白送",
           # Whether a thing is free or costs money, and points or a balance taken as money.
           "是不是免费", "免不免费", "要不要钱", "抵扣", "抵现", "当钱用", "抵钱",
           # A quote or an estimate asked for (出个报价单, 帮我估个价), an offer asked about (有活动吗).
           "报价单", "估价", "估个价", "估一下价", "有活动吗",
           # A price for a group or a kind of buyer (给个团体价, 批发价怎么算), a reward for bringing customers
           # (有返利吗, 返点), postage (包邮吗), labour and parts together (连工带料), a price cut asked
           # (改个价, 多折点).
           "团体价", "团队价", "批发价", "批量价", "内部价", "员工价", "亲友价", "协议价", "回收价", "收购价",
           "返利", "返点", "返现", "包邮", "新人券", "新客券", "连工带料", "改价", "改个价", "多折"),
    # Booking a visit or a time.
    "预约": ("预约", "约", "约个时间", "约时间", "约一下", "帮我约", "想约", "挂号", "挂个号", "排号", "排个号",
           "取号", "到店", "来店", "上门", "排个时间", "安排时间", "安排一下",
           "登记一下", "预订", "预定", "订个位", "留个位", "过来一趟", "过去一趟", "加个号", "约上",
           "想过去", "想过来", "过来看看", "过去看看", "订个时间", "定个时间", "预留",
           # A visit wished without a time: 想错个峰过去, 想去你们那儿看看, 想找王医生看看.
           "想*过去", "想*过来", "想*去你们", "想*来你们", "想找*看看"),
    # A free date or slot asked for (a wedding date, a session, a doctor's number): brought by 预约
    # (SUBGROUPS), while a rule of these words alone (an operator's 咨询:档期) gets them without the rest.
    "空档": ("档期", "有号", "还有号", "有位置", "有空位", "排上", "排得上", "能排", "哪天有空", "什么时候有空",
           "约得上",
           # Whether the dates are taken (都订满了, 满了吗, 约满了吧) or one came free (有空出来的吗).
           "订满", "约满", "排满", "都满了", "满了吗", "满没满", "满了没", "有空出来"),
    # Money back.
    "退款": ("退款", "退钱", "退费", "钱退", "退给我", "退回来", "退回", "还给我", "还钱", "返还", "折现", "能退",
           "可以退", "怎么退", "退掉", "退全款", "全额退", "退定金", "退押金", "退余额", "退差价", "申请退款",
           "把*退了", "退一下", "给退", "给我退", "不给退", "什么时候退", "啥时候退", "多久退", "多久能退", "返给我",
           # the money named before a bare 退 (定金退我, 差价退我吧) and a share asked back (退一半, 退一部分, 退一笔)
           "退我", "退了吧", "必须退", "得退", "全退", "退一半", "退一部分", "退一笔", "退点钱"),
    # No more messages.
    "退订": ("退订", "取消订阅", "取关", "别再发", "不要再发", "别发了", "不用再发", "别*发", "不要*发", "不用*发",
           "不要*推送", "别*推送", "不用*推送", "不需要*推送", "不用*打扰", "不要*打扰", "别*打扰", "勿扰", "免打扰",
           "拒收", "移出", "踢出", "不想收到", "不想再收到", "不要推送", "关闭推送", "别*打电话", "不要*打电话",
           "别*推", "不用*推", "不要*推", "不需要*推", "不用*打电话", "不要*打电话", "不用*通知", "不要*通知",
           "别*通知", "不需要*通知", "不用*联系", "不要*联系", "别*联系", "不想*收到", "少推点", "少发点", "少推些",
           "少发些", "少打点电话",
           # Calls refused with the object said first (推销的电话不要再打来了, 电话以后别再打了).
           "电话*别*打", "电话*不要*打", "电话*不用*打", "电话*不需要*打",
           # A chat group's ways: @-mentions refused, the customer taken off a list or out of a group, a group
           # left (别老@我, 把我从群里移出去, 把我删了吧, 别拉我进群, 我先退群了).
           "别*@我", "不要*@我", "别*艾特我", "不要*艾特我", "把我*移出", "把我*删", "把我*踢", "别*拉我",
           "不要*拉我", "退群",
           # What the shipped opt-out rule knows that any opt-out rule should (session 28): sending stopped
           # (请停止发送, 停止推送), the verb and its message said as one word (不用发消息给我了, 能不能别发短信了),
           # contact refused with 再 (别再联系我: 再联系 is no deferral here), sales calls and adds refused, the
           # customer taken off a list (把我从通知名单里删了), a push or a text stopped with its noun first
           # (公众号的推送能不能停了, 短信通知关掉), unfollowing, blocking, not wanting to receive.
           "停止*发送", "停止*推送", "停止*发", "停止*推", "请勿*发", "请勿*打", "请勿*联系", "请勿打扰",
           "别*发消息", "不要*发消息", "不用*发消息", "别*发短信", "不要*发短信", "不用*发短信",
           "别再联系", "不要再联系", "不用再联系", "勿再联系", "别*推销", "不要*推销", "别再加我", "不要再加我",
           "别加我微信", "不要加我微信",
           "把我*去掉", "把我*移除", "把我从*删", "把我从*去掉", "把我从*移出", "名单*删", "名单*去掉",
           "推送*停", "推送*关", "推送*取消", "短信*停", "短信*关", "通知*关掉",
           "取消关注", "拉黑", "不想*收", "不想再收", "不想*接收", "不需要*接收", "不再接收",
           # A sales call refused with what it sells between (别再打营销电话了), a group refused (不要再把我拉群了),
           # a message noun not needed (不需要这些活动消息了).
           "别*打*电话", "不要*打*电话", "别*拉群", "不要*拉群", "不需要*消息", "不需要*广告",
           # News of the business refused in other words (上新不用告诉我, 活动别提醒我了), a reminder or a push turned
           # off or not wanted with its noun first (直播提醒能关掉吗, 推送我不想要了), the customer's number taken
           # off (把我的手机号从系统里删掉), calls refused again (一天三个电话，别再打了).
           "不用*告诉我", "不用*提醒我", "不要*提醒我", "别*提醒我", "不需要*提醒", "提醒*关", "推送*不想要",
           "推送*不要了", "短信*不要了", "推送*删", "群发*删", "手机号*删", "号码*删", "别再打了", "不要再打了",
           "别再给我打"),
    # Bringing or sending someone else: the forms below for each kind of person (REFERRED).
    "转介绍": ("转介绍", "老带新", "介绍朋友", "推荐朋友", "帮朋友问", "帮同事问", "推荐给她", "推荐给他", "介绍给她",
            "介绍给他", "推荐给身边"),
    # A result to be done again or fixed (hair, nails, a repair, a tailoring).
    "返工": ("返工", "重做", "重新做", "重新弄", "返修", "补做", "补一下", "修一下", "帮我补", "帮我修", "再修",
           "重新修", "免费修", "免费补", "补色", "重染", "重剪", "重烫", "重贴", "再调一下", "重新调", "重调", "修修",
           "再修修", "p掉", "p一下", "帮我p", "重新p", "再p"),
    # Dissatisfaction said with a complaint word.
    "投诉": ("投诉", "差评", "不满意", "太差", "很差", "真差", "态度差", "态度不好", "敷衍", "不负责", "不专业",
           "失望", "坑人", "骗人", "忽悠", "维权", "曝光", "举报", "12315", "给个说法", "太过分", "离谱", "白花",
           "冤枉钱", "一问三不知", "没人管", "没人理", "没人接", "不回消息", "爱答不理", "不怎么样", "糊弄",
           "生气", "气死", "怎么解释", "给个解释", "负责一下", "得负责", "要负责", "装死", "不尊重",
           "什么质量", "什么破", "太不靠谱", "不靠谱", "不像话"),
    # Enrolling in a class, a course, a camp or a contest, the verb said alone with a modal (还能报吗, 怎么报, 可以报)
    # or asking whether they still take pupils (还招生吗); 报 of a claim (医保能报吗) is excluded below. Not 想报, which
    # glues over 想报名 and is as often someone else's wish, nor 续报, a renewal.
    "报名": ("报名", "报个名", "报班", "报个班", "报课", "怎么报", "能报", "能不能报", "可以报", "可不可以报", "还能报",
           "还可以报", "还招生", "招不招", "还收人", "收不收人"),
    # The size to wear asked (clothes, shoes, a uniform): which size to take (拿几码, 穿多大, 选什么码), whether it
    # fits (会不会紧, 穿得下, 扣得上), and the measures it is chosen by (腰围, 胸围, 版型); not 扣不上, a broken buckle.
    "尺码": ("尺码", "码数", "几码", "多大码", "什么码", "哪个码", "哪个尺码", "拿多大", "穿多大", "选多大", "拿几码",
           "穿几码", "选几码", "偏大", "偏小", "码偏大", "码偏小", "合身", "会不会紧", "会不会小", "会不会大", "穿得下",
           "穿不下", "扣得上", "版型", "腰围", "胸围", "臀围", "肩宽"),
    # A stay (a hotel, a homestay, a postpartum centre, a retreat); its rooms and bookings are KINDS.
    "入住": ("入住", "住宿", "住店", "陪住", "办入住"),
    # Chasing what was ordered or is under way: where it is, how long still, hurry it up (a delivery, a
    # parcel, a cake, furniture, a repair, building work). A general question before ordering (下单后多久能到)
    # is none: each word here says the thing is already on its way or overdue.
    "催单": ("催单", "催一下", "催催", "帮我催", "帮忙催", "催下", "到哪了", "到哪儿了", "到哪里了", "送到哪了",
           "怎么还没到", "还没到货", "货还没到", "东西还没到", "快递还没到", "还没收到货", "货还没收到", "还没送到",
           "还没送", "怎么还不送", "还没发货", "怎么还没发", "还没发出", "还没寄", "发货了吗",
           "什么时候发货", "什么时候能发货", "啥时候发货", "什么时候送到", "什么时候能送到",
           "什么时候能到", "啥时候到", "还要多久", "还得多久", "还要等多久", "进度怎么样", "进度如何", "什么进度",
           "到什么进度", "查下进度", "查一下进度", "订单进度",
           "一直没动静", "没动静", "没有动静", "一点动静都没", "怎么还没来", "还没来", "没影", "还没影", "连个影子都没",
           "快到了吗", "快到了没", "到了没",
           # News of it asked or missed (预订的书有消息了吗, 车等了三个月还没消息).
           "有消息了吗", "有消息了没", "有消息没", "有没有消息", "还没消息", "还没有消息", "一直没消息",
           "快点送", "尽快送", "查下物流", "查一下物流"),
    # Ordering goods or a made thing (flowers, fruit, a cake, a sofa), not a visit: 下单, 来一份, 帮我留.
    # 订个 and 预订 stay the 预约 group's (订个位, 预订一间); 订 alone is the operator's to write.
    "下单": ("下单", "下个单", "帮我下单", "订购", "想订", "要订", "我要订", "帮我订", "给我订", "再订", "想买",
           "我要买", "帮我留", "给我留", "帮忙留", "留一份", "帮我准备", "帮我拿", "拍下", "来份", "再来一份",
           # The item chosen (就要这个款式的, 要这款): an order named by pointing at it.
           "就要这个", "就要这款", "就要这种", "要这款", "就这款", "就定这款"),
    # Topping up or renewing a membership, a stored-value card or a subscription (not a new card, 办卡,
    # which is a price question, nor the card named: 储值卡在哪查余额).
    "充值": ("充值", "储值", "充钱", "再充", "充#", "充多少", "续卡", "续费", "续会员", "续年卡", "怎么续", "续一下",
           "续一年", "再续", "升级会员", "升级*卡"),
    # A visit to measure (furniture made to measure, curtains, building work): 量尺寸, 来家里量一下. A visit
    # in general, 上门, is the 预约 group's.
    "量尺寸": ("量尺寸", "测尺寸", "量一下尺寸", "上门测量", "上门量", "上门量尺寸", "来家里量", "量房", "上门量房",
            "来量一下", "上门看看", "来家里看看"),
    # Goods exchanged for another size or colour, or another one of them (换成浅灰的, 换大一码, 给我换一套): not 换
    # alone, which moves a time (换个时间) or replaces a part (换滤芯) as often, nor 换新, a trade-in's word.
    "换货": ("换货", "调换", "换一件", "换一套", "换一双", "换一台", "换一条", "换一床", "换一副", "换一个",
           "换成", "换过来", "换大一码", "换小一码", "换大一号", "换小一号", "换个颜色", "换颜色", "换尺码",
           "换个尺码", "换个码", "换一个码"),
    # Leave from a class, or moving it.
    "请假": ("请假", "请*假", "告假", "病假", "事假", "来不了", "去不了", "上不了", "赶不上", "缺课", "停课", "调课",
           "换课", "改课", "顺延", "往后推", "推迟", "延期"),
    # What was arranged called off by the customer, said with the arrangement first or after the verb (今晚的预约取消
    # 一下, 今天的场我们取消了, 取消明天的场次): a rule that names a cancellation (取消预约) hears it said any way.
    "取消": ("取消预约", "预约取消", "取消*预约", "预约*取消", "取消订单", "订单*取消", "取消*订单",
           *(f"{thing}*取消" for thing in ("场", "那场", "这场", "场次", "号", "那单", "这单", "订位", "包间", "包厢",
                                          "桌", "行程")),
           *(f"取消*{thing}" for thing in ("场", "场次", "订位", "包间", "包厢"))),
    # Running late for a visit that stands (路上有点堵，大概晚十分钟; 可能会晚一点点): not leave from it (来不了 is
    # in 请假; the two are RIVALS below).
    "迟到": ("迟到", "晚到", "晚点到", "晚一点到", "晚些到", "迟些到", "来晚", "晚来", "晚*分钟", "晚一刻钟",
           "晚半小时", "晚半个小时", "会晚", "要晚", "得晚", "堵车", "路上堵", "有点堵", "堵在路上", "赶不及"),
    # Discomfort, one small group per sign, so that an operator's 吐 brings 呕吐, not 疼.
    "疼": ("疼", "痛", "疼痛", "刺痛", "胀痛", "酸痛", "隐痛", "作痛", "隐隐作痛", "酸酸的", "酸胀", "有点酸",
          # A burn felt (灸完肚子上火辣辣的, 拔完罐背上灼痛).
          "火辣辣", "火辣辣的", "灼痛", "灼热", "烧灼", "辣辣的"),
    "肿": ("肿", "红肿", "肿胀", "发肿", "浮肿", "水肿", "鼓包", "起包", "肿块", "硬块", "硬结", "硬硬的", "胀胀的"),
    "痒": ("痒", "发痒", "瘙痒", "刺痒", "痒痒的"),
    "红": ("发红", "泛红", "红点", "小红点", "红疹", "疹子", "起疹子", "红血丝", "红了一片", "红红的",
          "有点红", "有些红", "有点发红"),
    "吐": ("吐", "呕吐", "吐了", "想吐", "干呕"),
    "拉稀": ("拉稀", "拉肚子", "腹泻", "拉水", "软便", "便血"),
    "发烧": ("发烧", "发热", "低烧", "高烧"),
    "不吃": ("不吃", "不吃东西", "不肯吃", "不爱吃", "不吃饭", "没胃口", "食欲不振"),
    "没精神": ("没精神", "精神不好", "蔫", "蔫蔫的", "没力气", "不爱动", "不太爱动", "不怎么动", "趴着不动",
            "无精打采"),
    "出血": ("出血", "渗血", "流血", "渗液", "化脓", "流脓"),
    "淤青": ("淤青", "瘀青", "淤血", "瘀血", "青紫", "发紫", "发青", "乌青", "青了", "紫了", "青了一片", "紫了一片",
           "青一块", "紫一块", "一块青", "一块紫", "青肿"),
    "干": ("发干", "很干", "干燥", "干裂", "起皮", "脱皮", "紧绷", "绷得紧", "干涩", "发涩", "涩涩的",
          # Dry where it is felt (灸完嗓子干得冒烟, 嘴巴好干): the place and the bare 干, which alone is 干活 or 干嘛.
          "嗓子干", "喉咙干", "口干", "嘴巴干", "嘴干", "眼睛干", "皮肤干", "嗓子发干", "口干舌燥"),
    "痘": ("爆痘", "长痘", "起痘", "冒痘", "闭口"),
    "咳嗽": ("咳嗽", "干咳", "打喷嚏", "流鼻涕", "气喘", "喘不上气"),
    "瘸": ("瘸", "一瘸一拐", "瘸腿", "跛", "不敢着地"),
    "抓": ("抓", "挠", "一直抓", "一直挠", "一直舔", "老是舔"),
    # Unwell without a sign named (鼻子一直不舒服, 戴着难受), and a tooth or a part come loose.
    "难受": ("不舒服", "难受", "不得劲", "不太舒服"),
    "松动": ("松动", "有点松", "松松的", "晃动", "有点晃", "发晃", "晃来晃去", "摇摇晃晃", "晃得厉害", "晃悠",
            "一坐就晃", "坐上去晃"),
    "伤": ("伤口", "破皮", "划破", "划伤", "烫伤", "受伤", "伤口裂开", "裂开了", "烫出", "烫红", "烫起", "烫破"),
    # What is wrong with a product or a service, by kind (bot/tagging/defects.py).
    **DEFECTS,
}

# Groups of one family: a rule that names words of at least FAMILY_REACH of them (or a word of the
# family's head, FAMILY_HEADS) is about the family, and gets all of it (疼, 肿, 痒 written: 吐, 发烧,
# 咳嗽 are discomfort too); a rule with one or two keeps to its own (["吐"] finds 呕吐, not 疼). Only
# the groups a rule names count, not those a group brings (SUBGROUPS).
FAMILIES: dict[str, tuple[str, ...]] = {
    "不适": ("疼", "肿", "痒", "红", "吐", "拉稀", "发烧", "不吃", "没精神", "出血", "淤青", "干", "痘", "咳嗽", "瘸",
           "抓", "伤", "难受", "松动"),
    **DEFECT_FAMILIES,
}
FAMILY_REACH = 3
# Groups that count as one toward a family's reach (the defect family counts kinds: 不干净, 异味 and 变质 are all
# dirt; for harm, a smell is dirt); a group not listed is a kind of its own.
FAMILY_KINDS: dict[str, dict[str, str]] = {DEFECT_FAMILY: DEFECT_KINDS, "损害": {"异味": "不干净"}}
# What a rule that reaches a family refuses besides its own `not_mood` (unless its `mood` names it): a
# discomfort rule is about a reaction to the service, so a condition held before (`chronic`: 我腰本来就疼) or
# told as the reason to come (`remedy`: 颈椎不舒服好几年了，按摩能不能根治; 想约个针灸，坐骨神经痛) is none, nor
# what was felt while it was being done (`during`: 按的时候有点疼).
FAMILY_NOT_MOOD: dict[str, tuple[str, ...]] = {"不适": ("chronic", "remedy", "during")}
# What a rule with a word of the group refuses besides its own `not_mood` (unless its `mood` names it): a
# complaint settled after the complaint word (「上个月投诉的那件事店长已经处理好了」, `passed`) is no complaint,
# whatever moods an operator listed; nor is a chat message sent to the wrong place (「刚才的语音发错了，不是给你的」,
# `misdirected`), for a complaint rule or a rule with a word of goods sent wrong (丢失: 发错); nor, for a complaint
# rule, another business's fault told to prefer this one (「楼下那家态度真差，还是你们家好」, `compared`); nor, for
# a complaint or a refund rule, the word echoed as a question and denied (「投诉？不存在的」, `rebutted`); nor, for a
# complaint rule, anger said in jest (「气死我了，又被你们家效果圈粉一次」, `teasing`) or someone's words passed on and
# doubted (「听别的家长说你们老师上课玩手机，不会是真的吧」, `doubted`).
GROUP_ALWAYS_NOT_MOOD: dict[str, tuple[str, ...]] = {
    "投诉": ("passed", "misdirected", "accused", "compared", "rebutted", "teasing", "doubted"),
    "丢失": ("misdirected",), "退款": ("rebutted", "reversed"),
    # A plan given up or a wish held back (本来想约周六的，但是下个月才回来) books and takes leave of nothing,
    # whatever moods an operator's rule lists; nor is a leave taken from work (跟公司请了半天假, `from_work`) one.
    "预约": ("reversed",), "请假": ("reversed", "from_work")}

# What every negatable rule refuses besides its own `not_mood` (unless its `mood` names it), but a rule that reaches
# one of the groups named keeps: a plan given up or a wish held back (`reversed`: 本来想买的，老婆不让), a thing
# the keyword names (`named`: 退款规则我看过了, 寄卖的那块表有人问价没), someone else's wish (`third_party`:
# 我同事也想租; a referral's point, and an enquiry's: `_negatable_refusals` in bot/tagging/rules.py) and someone's
# words passed on and doubted (`doubted`: 朋友说以旧换新很亏，是真的吗; a price doubted is still asked about) or
# passed on in a message that asks nothing (`overheard`: 朋友说你们鉴定挺准; a price heard of is still a concern,
# a friend's wish a referral, an opt-out's words an opt-out) and something done already told in such a message
# (`recounted`: 之前办过年卡，后来搬走了; a price, a complaint, a refund, an opt-out, a referral and what went wrong,
# a discomfort, a defect or harm, are news however long ago) want nothing of the customer's now, whatever an
# operator's rule lists.
_WENT_WRONG = tuple(dict.fromkeys(group for family in FAMILIES.values() for group in family))  # 不适, 缺陷, 损害
NEGATABLE_NOT_MOOD: dict[str, tuple[str, ...]] = {"reversed": (), "named": (), "third_party": ("转介绍",),
                                                  "doubted": ("价格",), "overheard": ("价格", "转介绍", "退订"),
                                                  "recounted": ("价格", "投诉", "退款", "退订", "转介绍", *_WENT_WRONG)}

# What a rule that names no `not_mood` refuses, for a group whose words are asked under a
# condition or in a worry as often as not: 「月嫂上门的话一个月多少钱」, 「万一多住几天，钱怎么算」,
# 「怕太贵」, 「这么贵，我再考虑考虑」 are price concerns all the same (the shipped 关注:价格 refuses as
# little). A rule with words of such a group and a `not_mood` of its own keeps its own.
GROUP_NOT_MOOD: dict[str, tuple[str, ...]] = {
    "价格": ("passed", "praised", "settled", "named", "experienced", "quoted", "payment", "accepted", "informed",
           "set_aside"),
    # A complaint word that judges the customer's own (孩子数学太差) is none; otherwise the general default.
    "投诉": ("hypothetical", "worry", "deferred", "passed", "praised", "settled", "named", "experienced", "quoted",
           "self_judged", "reversed", "set_aside", "reported"),
    # Someone else's visit (邻居家小孩也想来, 我婆婆想过来看看) is a referral, not the customer's booking.
    "预约": ("hypothetical", "worry", "deferred", "passed", "praised", "settled", "named", "experienced", "quoted",
           "third_party", "reversed", "attending", "running_late", "relayed", "set_aside", "confirming"),
    # A top-up is asked under a condition as often as not (充值三千的话送几次, 要是续年卡有优惠吗).
    # A top-up paid or invoiced (充值的钱能开发票吗) is a payment, no wish to top up.
    "充值": ("deferred", "passed", "praised", "settled", "named", "experienced", "quoted", "reversed", "payment",
           "set_aside"),
    # An order already placed (我下单了, 订的是粉色) or someone else's is no order of the customer's now.
    "下单": ("hypothetical", "worry", "deferred", "passed", "praised", "settled", "named", "experienced", "quoted",
           "third_party", "reversed", "done", "elapsed", "relayed"),
    # Someone who only comes along (老公陪我一起过来, 带我妈来陪我) is the customer's company, no referral.
    "转介绍": ("hypothetical", "worry", "deferred", "passed", "praised", "settled", "named", "experienced", "quoted",
            "reversed", "accompanying"),
}
# A rule that says nothing and reaches a defect group but none of the groups above refuses DEFECT_NOT_MOOD
# (bot/tagging/defects.py): a defect asked about, expected or heard of (会不会漏水, 容易坏吗) is no report.
DEFECT_GROUPS = frozenset(DEFECTS)


# The people a customer refers, and the forms that refer them (朋友也想, 带闺蜜, 介绍同事).
REFERRED = ("朋友", "好朋友", "闺蜜", "姐妹", "同事", "同学", "老同学", "家人", "亲戚", "邻居", "老公", "老婆",
            "男朋友", "女朋友", "对象", "姐姐", "妹妹", "哥哥", "弟弟", "表姐", "表妹", "我妈", "我爸", "我姐",
            "我妹", "我哥", "我弟", "室友", "朋友们", "同事们")
_REFERRING = ("{}也想", "{}也要", "{}也来", "{}也有兴趣", "{}想来", "{}想做", "{}想报", "{}想办", "{}想约",
              "{}想了解", "带{}", "带上{}", "带我{}", "介绍{}", "推荐{}", "推荐了{}", "介绍了{}", "推荐给{}",
              "介绍给{}", "推给{}", "分享给{}", "推荐给我{}", "介绍给我{}", "推给我{}", "{}问", "{}想问", "{}让我问",
              "{}托我问")
# A partner asks for the household, on the customer's own behalf (老公问能不能带狗进来): no one is
# referred by 「{}问」 or 「{}想问」, while 带老公 or 老公也想做 still refers.
_HOUSEHOLD = frozenset(("老公", "老婆", "男朋友", "女朋友", "对象"))
DEFAULT_CONCEPTS["转介绍"] += tuple(form.format(person) for person in REFERRED for form in _REFERRING
                                  if not (form.endswith("问") and person in _HOUSEHOLD))
# The family by marriage and the wider family, which an operator's 亲友 seldom lists (我婆婆想来针灸, 我小姨也想
# 做): in the forms that say most referrals, not every form above (each form is a keyword of every rule with
# the group, and a word the start-up and the segmenter pay for).
KIN = ("婆婆", "公公", "岳母", "丈母娘", "嫂子", "小姑子", "奶奶", "爷爷", "外婆", "姥姥", "小姨", "姑姑", "舅舅",
       "舅妈", "表哥", "表弟", "堂姐", "堂妹", "侄女", "外甥女", "爸妈", "发小")
_KIN_REFERRING = ("{}也想", "{}想来", "{}想做", "{}想约", "{}想问", "带{}", "介绍{}", "推荐{}", "推荐给{}", "介绍给{}")
DEFAULT_CONCEPTS["转介绍"] += tuple(form.format(person) for person in KIN for form in _KIN_REFERRING)
# Someone named by a pronoun after the verb: 回头介绍她来找你, 推荐他过来.
DEFAULT_CONCEPTS["转介绍"] += ("介绍她", "介绍他", "推荐她", "推荐他")
# Friends sent on with a count or a word between (推荐几个同事, 带两个闺蜜, 推荐新同学), read as the segmenter cuts
# them (READ_AS_CUT): not a gap, which would reach 推荐的那个护肤品朋友说.
_FRIENDS = ("朋友", "同事", "同学", "闺蜜", "姐妹", "邻居", "亲戚", "家人")
_BETWEEN = ("个", "几个", "两个", "一个", "三个", "些", "一些", "好几个", "新", "身边的", "了几个", "了两个",
            "了好几个", "了个", "了一些")
_SENT_ON = tuple(f"{verb}{between}{person}" for verb in ("推荐", "介绍", "带") for between in _BETWEEN
                 for person in _FRIENDS)
DEFAULT_CONCEPTS["转介绍"] += _SENT_ON
# Someone put in touch with the business (我让她直接联系你们, 回头让他加你微信, 把你们的电话给我闺蜜了), read as the
# segmenter cuts them (READ_AS_CUT): 让她 made a word would hide the 她 of 让她也来 from `referring`.
_PUT_IN_TOUCH = (*(f"让{person}*{contact}" for person in ("她", "他", "她们", "他们")
                   for contact in ("联系你们", "找你们", "加你", "联系你", "打你电话", "给你打电话")),
                 *(f"把{you}*给我{friend}" for you in ("你们", "你") for friend in _FRIENDS))
DEFAULT_CONCEPTS["转介绍"] += _PUT_IN_TOUCH
# Someone else's wish with any verb (我同事想学单板, 表哥想配助听器, 闺蜜想卖几只包): the verbs of a trade are too
# many to list; a partner's wish is the household's (老公想问), as above.
_OTHERS = (*(person for person in REFERRED if person not in _HOUSEHOLD), *KIN)
# 朋友想 made a word would cut 我男朋友想 as 我男 + 朋友想: a friend is written with what comes before.
_WISHING = tuple(f"{person}想" for person in (*_OTHERS, "我朋友", "个朋友") if person != "朋友")
# The business passed on (我把你们微信推给她了, 把你们电话给了邻居, 链接分享到公司群了), someone booked or asked for
# (帮我闺蜜约个周六, 帮同事订一台), a group that all want it (部门好几个同事都想来) and a customer brought (给你们介绍
# 个客户, 帮你们牵个线): read as the segmenter cuts them (READ_AS_CUT).
_PASSED_ON = (*(f"推给{person}" for person in ("她", "他", "她们", "他们", *KIN)),
              *(f"把{you}*给了" for you in ("你们", "你")),
              *(f"{verb}到*群" for verb in ("分享", "推", "转", "发", "推荐")), "发*群里", "推给*群",
              *(f"帮{mine}{person}{verb}" for mine in ("", "我") for person in _OTHERS if not person.startswith("我")
                for verb in ("约", "订", "问")),
              *(f"叫上{person}" for person in _OTHERS),
              *(f"{verb}给我{person}" for verb in ("发", "转") for person in _OTHERS if not person.startswith("我")),
              *(f"把{you}*给{person}" for you in ("你们", "你")
                for person in ("她", "他", *(p if p.startswith("我") else f"我{p}" for p in _OTHERS))),
              *(f"{verb}*{friend}" for verb in ("带", "叫上") for friend in _FRIENDS),
              *(f"{person}家*也想" for person in _OTHERS), "推荐了你们",
              "介绍个客户", "介绍了个客户", "介绍*个客户", "拉个客户", "牵个线", "牵线")
_ALL_WISHING = tuple(f"{many}*都想" for many in ("好几个", "几个", "好几家", "好几户"))
DEFAULT_CONCEPTS["转介绍"] += _WISHING + _ALL_WISHING + _PASSED_ON


# What only looks like the group's intent, in a clause of any rule with a word of the group (a rule's
# `exclude`, added to the operator's own): a booking cancelled, a visit called off or an arrival
# (「周三的预约取消吧」, 「到店门口了」; one already held, 我约的是周日上午, is the `done` mood's, which a
# wish still books: 想约的是周六下午); money already back (「钱已经退回来了」);
# the customer referred, not referring (「我是李姐介绍过来的」). `expand = false` keeps a rule without them.
FEE_ASKED = ("收费", "要钱", "收钱", "免费", "是免费的", "是不是免费", "要不要钱")
# A group whose `GROUP_EXCLUDE` a rule that also reaches one of these does not get: a rule about money back that
# chases it (退款什么时候到账) keeps 到账 and 退款.
GROUP_EXCLUDE_KEPT_BY: dict[str, tuple[str, ...]] = {"催单": ("退款",)}
# Days a customer moves a thing to (能换成周六吗): in a clause, no goods are exchanged.
TIMES_NAMED = ("周一", "周二", "周三", "周四", "周五", "周六", "周日", "周末", "明天", "后天", "下周")
GROUP_EXCLUDE: dict[str, tuple[str, ...]] = {
    # A fee asked of a visit (面诊要收费吗, 量房要收钱吗, 上门是免费的吗) is a price question, no booking.
    "预约": ("取消", "取消预约", "改天再约", "以后再约", "不过去", "不过来", "不去了", "不来了",
           "到店了", "到门口", "门口了", "到楼下", *FEE_ASKED),
    "退款": ("已经退回", "已经退了", "已经退款", "已退款", "到账了", "退回来了", "退到*了"),
    # Money claimed back (医保能报吗, 单位可以报, 保险怎么报) is no enrolment.
    "报名": ("报销", "医保", "保险", "发票", "单位"),
    "转介绍": ("推荐我", "介绍我", "被推荐", "介绍过来的", "介绍来的", "推荐过来的", "推荐来的"),
    # Money back chased (退款怎么还没到账, 申请退款三天了还没到账) is the refund's, no order or job under way.
    "催单": ("到账", "退款", "退费", "退的钱"),
    # An order cancelled or chased (下单两个小时了还没人送，麻烦催一下) is no new order.
    "下单": ("取消", "退单", "催单", "催一下", "帮我催", "还没送", "还没发货", "到哪了"),
    # Auto-renewal stopped (自动续费怎么取消), money back (充值的钱能退吗) and the card named (储值卡在哪查余额)
    # are no top-up.
    "充值": ("取消", "关闭", "自动续费", "自动扣费", "能退", "退钱", "退款", "储值卡", "充值卡"),
    # A time or a date changed (能换成周六吗, 换一个时间) is a move, and an old one traded in (以旧换新) no exchange.
    "换货": ("时间", "日期", "以旧换新", *TIMES_NAMED),
    # Messages stopped (取消订阅, 推送取消) are an opt-out, no arrangement called off; 再也不去了 vows never to come
    # back, it calls off no visit.
    "取消": ("订阅", "推送", "关注", "短信", "消息", "广告", "通知", "提醒", "再也"),
}


# Words a group brings that count only in a clause that asks or wishes (a rule's `asked`): an
# amount or a fee asked about is a price question (三千以内有吗, 教材费另算吗, 一千块能做几次),
# said in passing it is none (上次付了八百). `#` is an amount, a lone 费 any fee noun (amounts.py).
ASKED_CONCEPTS: dict[str, tuple[str, ...]] = {
    "价格": ("#", "#块", "#块钱", "#元", "#以内", "#以下", "#左右", "#上下", "#出头", "费",
           "另算", "另收", "另外收", "另外算", "额外收", "单独收", "单独算", "押金", "定金", "包月", "包年",
           "是免费的", "要钱"),
}
# 多少 with a unit is a price asked (一个小时多少, 多少一次, 一平多少): how much for one of something.
_UNITS = ("次", "个", "件", "双", "位", "平", "平米", "张", "套", "晚", "天", "个月", "小时", "个小时", "斤", "台")
DEFAULT_CONCEPTS["价格"] += tuple(form.format(unit) for unit in _UNITS for form in ("多少一{}", "一{}多少"))
# How much for one of a thing sold by a measure (一副多少, 一节多少, 多少一盒) or for all of it (全套下来要多少,
# 一共多少): a price asked where the 多少 closes its clause, nothing but 钱 or a particle after it
# (CLOSING); 「一期多少节课」 and 「一共多少节」 count classes, 「一盒多少片」 lenses.
_MEASURES = ("副", "盒", "瓶", "节", "期", "对", "颗", "支", "份", "箱", "束", "片", "罐", "条", "本", "学期", "疗程")
_TOTALS = ("大概多少", "大概要多少", "一共多少", "总共多少", "一共要多少", "总共要多少", "下来多少", "下来要多少",
           "加起来多少", "总的多少")
CLOSING: frozenset[str] = frozenset((*(f"一{measure}多少" for measure in _MEASURES), *_TOTALS))
DEFAULT_CONCEPTS["价格"] += (*(f"多少一{measure}" for measure in _MEASURES), *sorted(CLOSING))
# An order said with a count and a measure (来两束, 要一箱, 订一份); not 个, which counts people and hours
# (来两个人, 要一个小时), nor 要一块 (钱).
_ORDERED = ("份", "束", "盒", "箱", "斤", "杯", "袋", "瓶", "只", "套", "盆", "篮", "罐", "包", "提", "条", "床", "间")
DEFAULT_CONCEPTS["下单"] += tuple(f"{again}{verb}{count}{measure}" for again in ("", "再")
                                 for verb in ("来", "要", "订") for count in ("一", "两", "三", "四", "五")
                                 for measure in _ORDERED)
# A job under way chased by its end (building work, a tailoring, a repair, a print): when it is done, whether
# it is done yet, how far it has got, hurry it up; the operator's bare 催 and 进度 name the group. A
# question before ordering (改一条裤子一般要几天) is none: each form asks of work already begun.
_JOB_VERBS = ("做", "弄", "搞", "干", "改", "修", "装", "缝", "补", "刷", "铺", "贴", "印", "洗", "拍", "换")
_JOB_ENDS = ("好", "完")
# The job's end said with its verb is read as the segmenter cuts it, never boosted into one word (READ_AS_CUT, below):
# 还没弄完 made a word would hide the 还没 of a complaint's cues.
_JOB_DONE = (*(f"什么时候*{verb}{end}" for verb in _JOB_VERBS for end in _JOB_ENDS),
             *(f"{verb}{end}{aspect}{particle}" for verb in _JOB_VERBS for end in _JOB_ENDS
               for aspect in ("了", "") for particle in ("吗", "没", "没有") if aspect or particle != "吗"),
             *(f"还没{verb}{end}" for verb in _JOB_VERBS for end in _JOB_ENDS),
             *(f"{verb}到哪" for verb in _JOB_VERBS))
# Whether what was ordered has been sent off, or the worker has set off (发了没, 寄出了吗, 师傅出发了没): asked of a
# thing or a visit already arranged. Read as the segmenter cuts them, as the job's end is.
_SENDING = ("发", "寄", "发出", "寄出", "发出来", "寄出来", "出发", "出门", "动身")
_SENT_OFF = tuple(f"{verb}{aspect}{particle}" for verb in _SENDING
                  for aspect in ("了", "") for particle in ("吗", "没", "没有") if aspect or particle != "吗")
DEFAULT_CONCEPTS["催单"] += (
    "催", "进度", "加急", "能快点吗", "快点弄", "快点做", "抓紧", "进行到哪", "到哪一步", "到什么程度", "什么时候*出来",
    "什么时候*能取", "什么时候*可以取", "什么时候*能拿", "还要几天", "还得几天", *_JOB_DONE, *_SENT_OFF)
READ_AS_CUT: frozenset[str] = frozenset((*_JOB_DONE, *_SENT_OFF, *NOT_AS_SHOWN, *SHORT_BY, *_SENT_ON, *_PUT_IN_TOUCH,
                                         *_PASSED_ON))
# An offer of so many free with so many bought (买二送一, 买十送二).
DEFAULT_CONCEPTS["价格"] += ("买一送一", *(f"买{count}送" for count in "二两三四五六七八九十"))
# A pass or a card to buy, asked about (有没有年卡, 办个月卡, 年卡和季卡有什么区别); one already held,
# renewed or lost (年卡到期了怎么续) is no price question.
_CARDS = ("年卡", "月卡", "季卡", "次卡", "储值卡", "充值卡")
ASKED_CONCEPTS["价格"] += tuple(form.format(card) for card in _CARDS
                              for form in ("办{}", "办个{}", "办张{}", "办一张{}", "有没有{}", "有{}吗", "{}和"))


# Words a group brings as `timed` words (see docs/tagging.md, "Booking by a time"): they count
# only in a sentence that names a time to come and asks, wishes or says 我. An operator's
# `["预约", "到店"]` hears 「周六上午能过来洗个车吗」 and 「明天中午过去修个刘海」 without a list of
# its own. A verb with 个 or 一下 is a service of any trade (拍个, 剪个, 洗一下).
_SERVICE_VERBS = ("做", "拍", "剪", "洗", "修", "补", "打", "弄", "染", "烫", "贴", "看", "测", "检查")
TIMED_CONCEPTS: dict[str, tuple[str, ...]] = {
    "空档": ("有空", "空", "空档", "空位", "位置", "位子"),
    "预约": ("过来", "过去", "来", "来做", "去做", "来打", "去打", "去看", "来看", "去看看", "来看看", "接待",
           "安排", "排", "留个时间", "腾出", "留", "开过来", "开过去",
           "送过来", "送过去", "带过来", "带过去", "去店里", "来店里", "去一趟", "来一趟", "能拍", "能做", "能剪",
           "能洗", "能修", "可以过来", "可以过去", "可以来", "可以做", "可以约",
           "那就", "就按", "就定", "不见不散", "可以吗", "行吗", "行不行", "方便吗",
           # the segmenter's 能来 (明天能来吗), and someone free or a place left at a time (下午三点以后有师傅吗,
           # 今晚八点还有场吗, 周六出海还有船位吗)
           "能来", "能过来", "能过去", "能去", "能上门", "有师傅", "师傅有空", "有技师", "有阿姨", "有老师", "有医生",
           "还有场", "有场", "还有房", "还有*位",
           # a bare 订 with a time to come (想订周六下午的包厢, 再订个周五晚上的), also as the segmenter glues it
           "订", "订下", "订上", "我订")
    + tuple(f"{verb}{insert}" for verb in _SERVICE_VERBS for insert in ("个", "一下", "一次")),
}

# Cues a group brings along (see 诉求:投诉 in docs/tagging.md): a rule that has a word of the 投诉
# group also weighs these, so an operator's complaint rule hears 「呵呵」 and 「也太慢了」 without a
# list of its own; the rule's own `cues` win for the same word, `expand = false` keeps none.
DEFAULT_CUES: dict[str, dict[str, float]] = {
    **DEFECT_CUES,
    # Moving an arrangement (改到周日可以吗, 能挪到后天吗) is a booking, unless a rule of the file
    # weighs the mood itself (the shipped 课程:请假: a class moved is leave); see rules.py.
    "预约": {"mood:rescheduled": 2},
    # An order moved to another day (周日那个蛋糕能改到周六吗, 团餐能改到后天吗) is still the order.
    "下单": {"mood:rescheduled": 2},
    # Someone else who wants it too (邻居家小孩也想来学画画, 我侄女也想学舞蹈): see `referring`.
    "转介绍": {"mood:referring": 2},
    # Too many messages (推送太多了) or the list they come from (名单), weighed with a verb that stops
    # or removes (关掉, 取消吧, 去掉) anywhere in the message: 「推送太多了，帮我取消吧」. A verb alone
    # is half a point, so two of them (取消掉预约，停掉疗程) are no opt-out.
    "退订": {"推送太多": 1.5, "消息太多": 1.5, "广告太多": 1.5, "短信太多": 1.5, "通知太多": 1.5, "发太多": 1.5,
           "太频繁": 1.5, "天天发": 1.5, "每天发": 1.5, "天天*发": 1.5, "每天*发": 1.5, "一直发": 1.5, "老发": 1.5,
           "总发": 1.5, "名单": 1.5, "刷屏": 1.5, "吵死": 0.5, "太吵": 0.5,
           "关掉": 0.5, "关闭": 0.5, "屏蔽": 0.5, "取消吧": 0.5, "取消掉": 0.5, "停掉": 0.5, "去掉": 0.5, "删掉": 0.5,
           "移除": 0.5, "拉黑": 0.5,
           # Calls stopped with the object said earlier in the message (顾问一天打三个电话，以后别打了): the verb
           # refused is one point and a half, 电话 half a point; 「水光针先别打了」 names no call.
           "别打了": 1.5, "别再打了": 1.5, "不要再打了": 1.5, "不要打了": 1.5, "不用再打了": 1.5, "不用打了": 1.5,
           "别打来了": 1.5, "别再打来了": 1.5, "电话": 0.5,
           # Pushes every day or too many (天天推送，关了吧; 太多推送了，取消吧; 短信太多了，取消), with a stop said as
           # one word or closing the clause.
           "天天推送": 1.5, "每天推送": 1.5, "天天*推": 1.5, "每天*推": 1.5, "太多推送": 1.5, "太多短信": 1.5,
           "太多消息": 1.5, "太多广告": 1.5, "关了吧": 0.5, "停了吧": 0.5, "取消了吧": 0.5, "取消": 0.5},
    # A bill padded (多收了我两百, 多算了三天: `overcharged`, bot/tagging/grievance.py) wants the money back
    # as much as it complains.
    "退款": {"mood:overcharged": 2},
    "投诉": {
        # Sarcasm and exasperation.
        "呵呵": 2, "服了": 2, "无语": 2, "醉了": 2, "就这": 2, "真行": 2, "什么操作": 2, "这算什么": 2, "搞什么": 2,
        "有意见": 2, "坑": 2, "什么套路": 2, "被套路": 2, "这就是你们说的": 2, "这就是所谓的": 2, "所谓的": 1,
        "到底行不行": 2, "接受不了": 2, "不能接受": 2, "无法接受": 2, "被骗": 2, "上当": 2,
        "毁了": 2, "联系不上": 2, "找不到人": 2, "推销": 1, "成这样": 1, "不接电话": 1, "电话*不接": 1,
        "管不管": 1, "人才到": 1, "算我倒霉": 2, "认栽": 2, "什么破": 2, "还好意思": 2, "可真": 1, "真是绝了": 1,
        # A fault demanded not to happen again (别再发错地址了, 不要再搞错了): it happened before.
        "别再*错": 2, "不要再*错": 2, "别再*漏": 2, "不要再*漏": 2, "就行": -1,
        # Holding the business to account.
        "得负责": 2, "负点责任": 2, "给个交代": 2, "给个解释": 2,
        # Neglect and being passed around.
        "踢皮球": 2, "推来推去": 2, "石沉大海": 2, "不了了之": 2, "放鸽子": 2, "没下文": 1, "没人": 1, "还没": 1,
        "都没": 1, "到现在": 1, "才轮到": 1,
        # A judgement made strong: an intensifier before a negative word (太慢, 真冤, 也太冲); see `negative`.
        "mood:negative": 2,
        # Repetition, a promise broken, emphatic denial: one point each, two make a complaint.
        "#遍": 1, "#次了": 1, "第#次": 1, "每次*都": 1, "说好": 1, "结果": 1, "一点*都没": 1, "一点*没": 1,
        "一句*都没": 1, "从来不": 1, "从来没": 1, "根本不": 1, "根本没": 1, "到底": 1, "凭什么": 1, "凭啥": 1,
        "什么情况": 1, "什么意思": 1, "怎么回事": 1, "差了点": 1, "mood:rhetorical": 1,
        # Service failures told as plain facts: a long wait, time gone by, a promise denied, asking
        # again and again, a result no better than nothing: one point each, so two of them (等了一个
        # 多小时才轮到我, 说好的…现在又不认了) make a complaint and a wait alone does not. A cue that
        # holds a shorter one (问了#遍 holds #遍) is weighed alone, so it carries both points.
        "等了*小时": 1, "等了*钟头": 1, "等了*分钟": 1, "排了*小时": 1, "排了*分钟": 1, "等了好久": 1, "等了半天": 1,
        "等半天": 1, "才开始": 1, "不认": 1, "不认账": 2, "不承认": 1, "赖账": 2,
        "不给": 1, "没给": 1, "的时候说": 1, "当时说": 1, "不是说": 1, "又说": 1, "明明": 1, "完全不": 1, "完全没": 1,
        "问了#遍": 2, "说了#遍": 2, "催了#遍": 2, "问了#次": 1, "催了#次": 2, "找了#次": 1, "打了#次": 1,
        "又迟到": 2, "迟到": 1, "花了#": 1, "没看好": 1, "没治好": 1, "划破": 2, "弄伤": 2, "弄破": 2, "剪破": 2,
        "一点用没有": 2, "一点用都没有": 2, "一点用也没有": 2, "没啥用": 1, "没什么用": 1,
        # No result at all, denied after 一点 (一点变化都没有, 一点起色没有, 一点好转也没有); 有一点进步 praises.
        "一点变化*没": 2, "一点起色*没": 2, "一点效果*没": 2, "一点进步*没": 2, "一点改善*没": 2, "一点好转*没": 2,
        "一点提高*没": 2, "一点提升*没": 2, "说不过去": 1,
        # Fairness challenged (这合理吗, 这像话吗) and being made to suffer (受气): two points.
        "这合理吗": 2, "这像话吗": 2, "这公平吗": 2, "这说得过去吗": 2, "受气": 2,
        "跟没*一样": 2, "和没*一样": 2, "跟没*一个样": 2, "和没*一个样": 2, "跟没*没两样": 2,
        "和没*没两样": 2, "白做": 2, "白跑": 2, "白来": 2, "多收": 1, "多扣": 1, "乱收费": 2, "乱扣": 2,
        "气死": 2, "气死了": 2, "气死我了": 2, "烦死": 2, "烦死了": 2, "烦死人": 2,
        # Exclamations asked both ways, which ask nothing (烦不烦啊, 有完没完: one point, as 烦死 in the shipped
        # rule, so that 「天天发广告烦不烦，取消掉」 only opts out), how often it happens (一天打三回), and a
        # decline said with 不如 (一年不如一年); a decline with an intensifier (一天比一天差) is `negative`.
        "烦不烦": 1, "有完没完": 1, "有没有搞错": 2, "搞没搞错": 2, "讲不讲理": 2, "一天*#回": 1, "一天*#次": 1,
        "一天*#个电话": 1, "不如一年": 2,
        "不如一次": 2, "不如一天": 2, "大不如前": 2, "不如以前": 1, "不如之前": 1, "没以前好": 1,
        # A price scorned as robbery (抢钱, 宰人, 当冤大头) and a result or a word that did nothing (根本没用,
        # 说了也白说): two points; a delay dragged out (拖了这么久), a straight answer demanded (给个准话) and a
        # promise recalled from the start (一开始说) one, 一拖再拖 two.
        "抢钱": 2, "坑钱": 2, "宰人": 2, "宰客": 2, "挨宰": 2, "被宰": 2, "冤大头": 2, "割韭菜": 2,
        "根本没用": 2, "压根没用": 2, "完全没用": 2, "根本不管用": 2, "一点都不管用": 2, "白说了": 2, "说了也白说": 2,
        "压根没": 1, "压根不": 1, "拖了这么久": 1, "拖这么久": 1, "拖到现在": 1, "一拖再拖": 2, "给个准话": 1,
        "给句准话": 1, "一开始说": 1, "刚开始说": 1,
        # A promise recalled (上次说的, 当初说, 你们说) and what came of it (钱呢, 不是这样, 差太远), money
        # paid already (钱交了), a line kept busy (占线), a bill padded (多算): one point each; 什么效率 two.
        "当初说": 1, "上次说": 1, "之前说": 1, "你们说": 1, "钱呢": 1, "不是这样": 1, "占线": 1, "多算": 1,
        "不是这么说": 1, "差太远": 1, "差远了": 1, "差得远": 1, "什么效率": 2, "钱交了": 1, "交了钱": 1, "钱都交了": 1,
        "钱付了": 1, "付了钱": 1, "好家伙": 1,
        # Grievances (bot/tagging/grievance.py): a bad state that persists (一直占线) and time gone by (两个
        # 月了) one point each; a why that expected better (怎么又, 为什么没有) one, and one more aimed at
        # the business or its people (阿姨怎么没来); staff idle or not up to it (都在刷抖音, 连…都不会) and
        # a padded bill (多收了我两百) two.
        "mood:persisting": 1, "mood:elapsed": 1, "mood:exasperated": 1, "mood:aimed": 1, "mood:misconduct": 2,
        "mood:overcharged": 2,
        # What the business is, scorned (这什么服务), and someone of it who came only after a time (老师九点四十才到):
        # two points each.
        "mood:scornful": 2, "mood:late": 2, "mood:ironic": 2,
        # The agreed time overrun (约的两点，都快三点了) and a price other than the one promised (宣传的是199，
        # 到店变成了399): two points each.
        "mood:overrun": 2, "mood:misquoted": 2,
        # A promise and what came of it (说好的一个小时，四十五分钟就喊我起来了), a request unheeded (跟师傅说了
        # 轻一点，他还是那么重) and people changed too often (一学期换了三个老师): two points each; a wait of
        # minutes or hours told gone by (坐了四十分钟了) one, as the wait cues (等了*分钟).
        "mood:unkept": 2, "mood:unheeded": 2, "mood:churned": 2, "mood:waited": 1,
        # Reproaches (bot/tagging/reproach.py): what was promised asked for (说好的免费停车呢), a question that
        # blames (你们打包前都不检查的吗, 你们师傅怎么补的), what a paid thing is good for (办了年卡有什么用), money
        # scorned (一晚六百多就这条件？) and a promised span gone by (说两个工作日回复，现在都一个多星期了): two
        # points each; harm done by the business's people (师傅把我的鱼缸磕出一道缝) and a condition to an
        # extreme or a use ruled out (闷得要命, 咸得没法喝) one.
        "mood:unmet": 2, "mood:blamed": 2, "mood:futile": 2, "mood:unworthy": 2, "mood:harmed": 1,
        "mood:overdue": 2, "mood:unbearable": 1, "拍拍屁股": 2,
        # Disgust and annoyance: 什么玩意, 真服了, 辅导了个寂寞 two; 烦 one (said alone or with a degree).
        "什么玩意": 2, "啥玩意": 2, "真服了": 2, "真的服": 2, "我真服": 2, "个寂寞": 2,
        "烦": 1, "真烦": 1, "太烦": 1, "很烦": 1, "好烦": 1,
        "还不如": 1,
        # Neglect by the business's people (没人来管, 垃圾堆着没人清, 设备坏了没人修): two; a demand for care
        # (用点心) and a spoiled mood (影响心情) one; the customer walking away
        # (再也不来) two, 下次不来了 one; 你们自己看着办 and a slowness judged (效率真低) two.
        "没人来管": 2, "没人过来管": 2, "没人来理": 2, "没人清": 2, "没人收": 2, "没人修": 2, "没人维护": 2,
        "没人处理": 2, "没人打扫": 2, "没人回": 2, "用点心": 1, "上点心": 1, "影响心情": 1,
        "真的绝了": 1, "再也不来": 2, "再也不买": 2, "再也不点": 2, "不会再来": 2, "下次不来了": 1, "下次不点了": 1,
        "下次不买了": 1, "看着办": 1, "效率*低": 2, "也好意思": 2, "什么道理": 1,
        # Time wasted on the business (白等, 我时间不值钱吗) and the customer who will not recommend it: two; 干等 one.
        "白等": 2, "白等了": 2, "干等": 1, "干等了": 1, "时间不值钱": 2, "时间不是时间": 2, "不会推荐": 2,
        "不会再推荐": 2,
        # Challenges to the business that ask nothing (是几个意思, 讲不讲道理, 当我好骗是吧, 这也叫无痛):
        # two points; one that may be asked in earnest (你们这是正规机构吗, 还要等多久, 有人管吗) one.
        "几个意思": 2, "讲不讲道理": 2, "讲不讲信用": 2, "讲不讲诚信": 2, "当我好骗": 2,
        "当我们好骗": 2, "当我*是吧": 2, "当我们*是吧": 2,
        "当*傻子": 2, "当我傻": 2, "当我不懂": 2, "当冤大头": 2, "好欺负": 2, "这也叫": 2, "管这叫": 2, "这也算": 1,
        "到底会不会": 2, "到底懂不懂": 2,
        "当提款机": 2, "当韭菜": 2, "归谁管": 1, "到底有没有": 1, "还想不想": 2, "就这个水平": 2, "就这水平": 2,
        "这是正规": 1,
        "还要等多久": 1, "有人管吗": 1, "就说了": 1, "早说了": 1,
        # The staff's manner: cold, absent, curt (心不在焉, 爱答不理, 冷着脸, 不耐烦), and a demand that it
        # change (态度能不能好一点, 说话能不能客气点): two points.
        "心不在焉": 2, "爱答不理": 2, "爱理不理": 2, "爱搭不理": 2, "不理不睬": 2, "已读不回": 2, "不搭理": 1,
        "没人搭理": 2, "冷着脸": 2, "摆脸色": 2, "甩脸色": 2, "大呼小叫": 2, "不耐烦": 2,
        "应付": 1, "态度能不能": 2, "说话能不能": 2,
        # Passed from one to another (转来转去, 不归我管, 没一个说得清): two points; 你们就不能 (你们就不能多安排几个
        # 医生吗) one.
        # Staff changed again and again (老师换来换去): two, as being passed around is.
        "转来转去": 2, "换来换去": 2, "不归我管": 2, "不归我们管": 2, "不归自己管": 2, "不归他们管": 2, "没一个": 1,
        "你们就不能": 1,
        # Softeners.
        "谢谢": -1, "辛苦": -1,
    },
}


# A topic's verb said alone: an operator's 洗车, 精洗, 洗内饰 are about washing, so 「这周先不洗了」 names
# the topic; 入住, 住月子 are about staying, so 「续住一周」 (续/住), 「还想住」, 「住得很满意」 do.
# The verb is a one-character word of `[language] verbs` that opens at least TOPIC_VERB_REACH of a
# topic rule's own keywords or closes a two-character one; it counts as a token of its own, where the
# segmenter knew no longer word (记住, 住院, 洗手间 stay themselves), bare or with a complement.
TOPIC_VERB_REACH = 2
TOPIC_VERB_COMPLEMENTS = ("完", "好")


def topic_verbs(keywords: Iterable[str], verbs: Iterable[str], prepositions: Iterable[str] = ()) -> dict[str, str]:
    """Verb (and verb with a complement) -> the first keyword that holds it, for the one-character
    verbs that TOPIC_VERB_REACH of `keywords` are built on (see above). A verb that is also a
    preposition (按 of 按摩 and 按一下: 按次收费, 按天算) is never heard bare: see `head_verbs`."""
    single = {verb for verb in verbs if len(verb) == 1} - set(prepositions)
    longer = tuple(verb for verb in verbs if len(verb) > 1)
    holders: dict[str, list[str]] = {}
    for keyword in dict.fromkeys(keywords):
        if keyword.startswith(longer):
            continue  # 清洗空调 is built on 清洗, not on 洗
        for verb in {keyword[:1], keyword[-1:] if len(keyword) == 2 else ""} & single:
            holders.setdefault(verb, []).append(keyword)
    forms: dict[str, str] = {}
    for verb, held in holders.items():
        if len(held) >= TOPIC_VERB_REACH:
            for form in (verb, *(verb + complement for complement in TOPIC_VERB_COMPLEMENTS)):
                forms.setdefault(form, held[0])
    return forms


def head_verbs(keywords: Iterable[str], verbs: Iterable[str], light: Iterable[str], topic: bool
               ) -> dict[str, list[str]]:
    """Verb -> the keywords built on it, for the one-character verbs of `verbs` (not `light`: 做,
    打, 换 are said of everything) that open a keyword of two characters or more (按 of 按摩, 扎 of
    扎针, 续 of 续卡) or, for a topic, close one of two or three (灸 of 艾灸, 隔姜灸). A keyword
    built on a two-character verb (清洗空调, 空调清洗) is that verb's, not its head's."""
    single = {verb for verb in verbs if len(verb) == 1} - set(light)
    longer = tuple(verb for verb in verbs if len(verb) > 1)
    heads: dict[str, list[str]] = {}
    for keyword in dict.fromkeys(keywords):
        if len(keyword) < 2 or not all("\u4e00" <= char <= "\u9fff" for char in keyword):
            continue
        found = set()
        if keyword[0] in single and not keyword.startswith(longer):
            found.add(keyword[0])
        if topic and len(keyword) <= 3 and keyword[-1] in single and not keyword.endswith(longer):
            found.add(keyword[-1])
        for verb in found:
            heads.setdefault(verb, []).append(keyword)
    return heads


def abbreviations(keywords: Iterable[str]) -> dict[str, str]:
    """Abbreviation -> keyword, for the four-character Han keywords of a topic: Chinese shortens a
    word of two words to their first characters or to its first and last (坡道起步 -> 坡起, 倒车入库 ->
    倒库). Read only where the segmenter cut both characters alone (see keywords.py), never boosted."""
    forms: dict[str, str] = {}
    for keyword in keywords:
        if len(keyword) == 4 and all("\u4e00" <= char <= "\u9fff" for char in keyword):
            for form in (keyword[0] + keyword[2], keyword[0] + keyword[3]):
                forms.setdefault(form, keyword)
    return forms


# A head said alone: a rule's keywords name kinds of one thing (剧本, 新本, 几人本; 电钢琴, 立式钢琴, 三角钢琴), the
# customer names the thing (这个本, 恐怖本, 那台钢琴). HEAD_REACH keywords must close with the head after
# characters that all differ, none of them a modal or an aspect (几岁能学, 接着学: a verb's), a question word,
# a count or a measure (哪个老师, 什么老师, 一节课: a question's), 的 (补的牙) or a verb (剪毛, 换屏: its object).
HEAD_REACH = 3
_NOT_BEFORE_A_HEAD = frozenset("能以会要想着了过在得不没的哪么个几一二两三少多")


def head_nouns(keywords: Iterable[str], not_heads: Iterable[str] = ()) -> dict[str, str]:
    """Head -> keyword, for the one or two characters that close HEAD_REACH of `keywords` (Han, longer than
    the head) after characters that all differ (剧本, 新本, 几人本 -> 本; not 沙发, 布艺沙发, 真皮沙发, all 沙发),
    unless the head is a keyword itself or one of `not_heads` (verbs, complements: 上 of 跟得上, 线上), nor
    after one of them (剪毛, 修毛: the verb's object, no kind).
    Read only where the segmenter cut it alone, never boosted (see rules.py)."""
    own = [word for word in dict.fromkeys(keywords) if all("\u4e00" <= char <= "\u9fff" for char in word)]
    stop = set(not_heads)
    forms: dict[str, str] = {}
    for size in (2, 1):
        held: dict[str, list[str]] = {}
        for word in own:
            if len(word) > size:
                held.setdefault(word[-size:], []).append(word)
        for head, words in held.items():
            before = [word[-size - 1] for word in words]
            if len(words) >= HEAD_REACH and len(set(before)) == len(before) and head not in own \
                    and head not in stop and not (_NOT_BEFORE_A_HEAD | stop) & set(before) \
                    and not any(head.endswith(longer) or longer.endswith(head) for longer in forms):
                forms[head] = words[0]
    return forms


# Coming and going: an operator writes from one side (不过来, 想过来, 去店里, 不来了), the customer from the other
# (不过去了, 想过去看看, 来店里, 不去上课了); both move toward the business. 来 always does, 去 anywhere (孩子要
# 去医院), so 来 becomes 去 only as 过去 (over to you) or called off (不来 -> 不去); 去 always becomes 来. Not after a
# character that makes 来 or 去 part of another word or direction (出来, 回去, 起来, 下去, 原来, 本来, 看来…).
_NOT_BEFORE_A_MOTION = frozenset("出回起下上原本后未看进失")


def motions_swapped(keywords: Iterable[str]) -> dict[str, str]:
    """Form -> keyword, for each keyword that says a motion to the business with 来 or 去: the same from the
    other side (不过来 -> 不过去, 想过来 -> 想过去, 去店里 -> 来店里, 不来了 -> 不去了; not 来医院 -> 去医院), and
    one that calls it off closing with 了 with its goal between (不来托管了, 不去上课了: `不来*了`). Read as the
    segmenter cuts them, never boosted."""
    forms: dict[str, str] = {}
    for keyword in dict.fromkeys(keywords):
        if "*" in keyword or not all("\u4e00" <= char <= "\u9fff" for char in keyword):
            continue
        at = [i for i, char in enumerate(keyword) if char in "来去"]
        if not at or any(i > 0 and keyword[i - 1] in _NOT_BEFORE_A_MOTION for i in at):
            continue
        called_off = keyword[:1] in ("不", "没")
        swapped = "".join("来" if char == "去" else "去" if char == "来" and (called_off or keyword[i - 1 : i] == "过")
                          else char for i, char in enumerate(keyword))
        for form in dict.fromkeys((keyword, swapped)):
            if form != keyword:
                forms.setdefault(form, keyword)
            if called_off and form.endswith("了") and form[-2:-1] in ("来", "去"):
                forms.setdefault(form[:-1] + "*了", keyword)
    return forms


class ConceptError(ValueError):
    """A `[concepts]` entry is not a list of words."""


# A keyword that opens with a modal is asked A-not-A as often as not: 能退 -> 能不能退, 可以退 -> 可不可以退.
_A_NOT_A = (("能", "能不能"), ("可以", "可不可以"))


def predicates_apart(keywords: Iterable[str], adverbs: Iterable[str]) -> dict[str, str]:
    """Form -> keyword, for each keyword that names a thing (two characters or more) and then what
    is wrong with it, a predicate opening with 不 or 没 (屏幕不亮, 度数不对, 信号不好): the same with one of
    `adverbs` between them (屏幕还是不亮, 度数都不对). Read as the segmenter cuts them, never boosted."""
    forms: dict[str, str] = {}
    for keyword in keywords:
        cut = next((i for i in range(2, len(keyword) - 1) if keyword[i] in "不没"), None)
        if cut is None or not all("\u4e00" <= char <= "\u9fff" for char in keyword[:cut]):
            continue
        for adverb in adverbs:
            forms.setdefault(keyword[:cut] + adverb + keyword[cut:], keyword)
    return forms


def asked_when(keywords: Iterable[str], when_words: Sequence[str]) -> dict[str, str]:
    """Form -> keyword, for each keyword that opens with a way of asking when (什么时候开工): the rest
    after any of `when_words`, a gap between for the modal a customer puts there (哪天能开工, 什么时候
    可以开工); and for each that closes with one after the thing asked about (照片什么时候, 作品什么时候):
    the thing before any of them, a gap between for what the customer says of it (照片大概什么时候, 作品
    啥时候, 视频初剪什么时候). Read as the segmenter cuts them, never boosted."""
    forms: dict[str, str] = {}
    ordered = sorted(when_words, key=len, reverse=True)
    starts = tuple(ordered)
    for keyword in keywords:
        # most keywords open and close with none of them: one `startswith` of them all says so
        opening = next((word for word in ordered if keyword.startswith(word)), None) \
            if keyword.startswith(starts) else None
        rest = keyword[len(opening):].lstrip("*") if opening else ""
        if rest and all("\u4e00" <= char <= "\u9fff" for char in rest.replace("*", "")):
            for word in when_words:
                forms.setdefault(f"{word}*{rest}", keyword)
        closing = next((word for word in ordered if keyword.endswith(word)), None) \
            if not opening and keyword.endswith(starts) else None
        thing = keyword[: -len(closing)].rstrip("*") if closing else ""
        if len(thing) >= 2 and "*" not in thing and all("\u4e00" <= char <= "\u9fff" for char in thing):
            for word in when_words:
                forms.setdefault(f"{thing}*{word}", keyword)
    return forms


def with_measures(keywords: Iterable[str], measures: Sequence[str]) -> dict[str, str]:
    """Form -> keyword, for each keyword that opens with 有 and then names a thing of two characters or more
    (有裂纹, 有异味, 有位置): the same with one of `measures` between (有条裂纹, 有股异味, 有几条划痕). Read as the
    segmenter cuts them, never boosted."""
    forms: dict[str, str] = {}
    for keyword in keywords:
        rest = keyword[1:]
        if keyword.startswith("有") and len(rest) >= 2 and not rest.startswith(("没", "不", "有")) \
                and all("\u4e00" <= char <= "\u9fff" for char in rest):
            for measure in measures:
                if not rest.startswith(measure):
                    forms.setdefault(f"有{measure}{rest}", keyword)
    return forms


# A count in a keyword (订两张, 要一箱, 住一晚, 留两个座) is the operator's example, not the only count a customer
# orders: after a verb, a count of `COUNTS` and then one of `COUNTED` stand for any other count. Not 几, which asks
# how many (要几张), nor a keyword that opens with its count (三件套, 几人本: a thing, no order).
COUNTS = ("一", "两", "二", "三", "四", "五", "六", "七", "八", "九", "十", "几")
COUNTED = frozenset("张本个间位节场桌晚份盒件双套台次杯束瓶斤箱支副条把只罐袋块")


def with_counts(keywords: Iterable[str]) -> dict[str, str]:
    """Form -> keyword, for each keyword with a count between a verb and a measure (订两张, 住一晚): the same
    with each other count (订四张, 住三晚). Read as the segmenter cuts them, never boosted."""
    forms: dict[str, str] = {}
    for keyword in keywords:
        if not all("\u4e00" <= char <= "\u9fff" for char in keyword):
            continue
        for at in range(1, len(keyword) - 1):
            if keyword[at] in COUNTS and keyword[at + 1] in COUNTED and keyword[at - 1] not in COUNTS \
                    and keyword[at - 1] != "第":
                for count in COUNTS[:-1]:
                    if count != keyword[at]:
                        forms.setdefault(keyword[:at] + count + keyword[at + 1:], keyword)
                break
    return forms


def asked_both_ways(keywords: Iterable[str]) -> dict[str, str]:
    """The A-not-A form of each keyword (or its last part after a gap) that opens with 能 or 可以, mapped
    to the keyword."""
    forms: dict[str, str] = {}
    for keyword in keywords:
        *before, last = keyword.split("*")  # the last part of a gapped keyword too: 周六*能做 in 周六能不能做
        for modal, question in _A_NOT_A:
            if last.startswith(modal) and len(last) > len(modal) and not last.startswith(question):
                forms.setdefault("*".join((*before, question + last[len(modal) :])), keyword)
    return forms


# An operator names a sign together with where it is felt (眼睛疼, 耳朵疼, 皮肤痒, 眼睛发红), and harm
# with what it befell (屏幕刮花, 后盖磕坏): such a keyword, one that ends with a word of a group of these
# families after something that is no negator (不疼 is none), names that group as the word itself
# would, so 眼睛疼, 皮肤痒 and 发红 are three signs of discomfort and bring the family (有点痒, 胀胀的,
# 打喷嚏), 屏幕刮花 brings 磕坏 and 划花. Only these families are read so: 态度差 names no group.
COMPOUND_FAMILIES = ("不适", "损害", DEFECT_FAMILY)
# The defect groups only the defect family reads so count only where COMPOUND_REACH of a rule's keywords name
# defects (see _compounds_checked).
_COMPOUND_DEFECTS = frozenset(FAMILIES[DEFECT_FAMILY]) - {name for family in COMPOUND_FAMILIES
                                                         if family != DEFECT_FAMILY for name in FAMILIES[family]}
COMPOUND_REACH = 2
_NOT_A_PLACE = ("不", "没", "别", "无")


# Words a group brings that do not bring the group: the kinds of thing it is about. A rule of 入住
# hears 房间, 大床房 and 订房 (each is about a stay); a rule of 大床房 (a room type) or 订房 (a booking
# intent) means just that, not every room or a stay in general.
KINDS: dict[str, tuple[str, ...]] = {
    # A visit called off (不来了，临时有事) is a cancellation to a rule about cancelling; 不来了 alone is as often
    # leave from a class, so it does not bring the group.
    "取消": ("不来了", "不去了", "来不了了", "去不了了"),
    "入住": ("订房", "订个房", "留个房", "留间房", "续住", "退房", "房型", "房间", "客房", "套房", "单间", "标间",
           "大床房"),
}


# Groups that stand for each other's words in a rule about the other: a price rule that lists 充值 and
# 储值 (top-up offers, 充值送) asks a price, it does not want every renewal (怎么续, 续一年); a booking rule
# with 下单 (a cleaning ordered) does not want 来一份 or 想买. A rule with words of both groups of a
# pair keeps the group it names more keywords of (both on a tie).
RIVALS: tuple[tuple[str, str], ...] = (("充值", "价格"), ("下单", "预约"), ("请假", "迟到"))


def _outnumbered(named_by: Mapping[str, Sequence[str]]) -> set[str]:
    """The groups of a RIVALS pair that a rule names fewer keywords of than the other."""
    reached = {name for names in named_by.values() for name in names}
    pairs = [(first, second) for first, second in RIVALS if first in reached and second in reached]
    if not pairs:
        return set()
    counts = {name: sum(name in names for names in named_by.values()) for pair in pairs for name in pair}
    return {first if counts[first] < counts[second] else second
            for first, second in pairs if counts[first] != counts[second]}


# Groups a group brings whole, which a rule of their words alone gets without it: a booking rule hears a
# free slot asked (空档: 有空位, 排得上, 档期), an availability rule (咨询:档期 with 档期 and 排得上) books nothing.
# Which of a file's rules a subgroup belongs to is settled as for any group (bot/tagging/ownership.py).
SUBGROUPS: dict[str, tuple[str, ...]] = {"预约": ("空档",), **DEFECT_SUBGROUPS}


def _brought(name: str, groups: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The words naming group `name` brings to a rule: its own and its KINDS."""
    return (*groups[name], *KINDS.get(name, ()))


def _named_groups(keyword: str, holding: Mapping[str, Sequence[str]], groups: Mapping[str, Sequence[str]]) -> list[str]:
    """The groups `keyword` names: those that hold it or its parts said together (带*朋友 names the group
    of 带朋友), or the sign group whose word ends it (above)."""
    if keyword in holding:
        return list(holding[keyword])
    if "*" in keyword and keyword.replace("*", "") in holding:
        return list(holding[keyword.replace("*", "")])
    for start in range(1, len(keyword)):
        head, tail = keyword[:start], keyword[start:]
        if tail in holding and not head.endswith(_NOT_A_PLACE):
            names = [name for name in holding[tail] if name in groups
                     and any(name in FAMILIES[family] for family in COMPOUND_FAMILIES)]
            if names:
                return names
    return []


def _compounds_checked(named_by: dict[str, list[str]], holding: Mapping[str, Sequence[str]]) -> None:
    """Drop, in place, what a thing said with how it fails names (球杆坏了, 座椅坏了: COMPOUND_FAMILIES) of the
    defect groups no other family reads so (故障, 渗漏, 异响, 质量), unless COMPOUND_REACH of the rule's keywords
    name defects (屏幕不亮, 触屏不灵, 充不进电: a repair shop's problem rule) and it is no complaint rule
    (FAMILY_GUARDS): a club-repair service's 球杆坏了 is about the club, not about every hot-water tap. Nor
    does a failure said again or still (又坏了, 还是不制冷, 修完还是漏水: `_AGAIN`) name one: an appliance
    shop's 售后:返修 is about a repair that did not hold, not about every first failure."""
    for keyword, names in named_by.items():
        if keyword not in holding and set(names) & _COMPOUND_DEFECTS and _said_again(keyword, holding):
            named_by[keyword] = [name for name in names if name not in _COMPOUND_DEFECTS]
    compound = [keyword for keyword, names in named_by.items() if names and keyword not in holding
                and keyword.replace("*", "") not in holding and set(names) & _COMPOUND_DEFECTS]
    if not compound:
        return
    named = {name for names in named_by.values() for name in names}
    defects = sum(any(name in FAMILIES[DEFECT_FAMILY] for name in names) for names in named_by.values())
    if defects < COMPOUND_REACH or any(guard in named for guard in FAMILY_GUARDS.values()):
        for keyword in compound:
            named_by[keyword] = [name for name in named_by[keyword] if name not in _COMPOUND_DEFECTS]


# Before how a thing fails, words that say it fails again or still (又坏了, 还是不制冷, 修完还是漏水), no thing.
_AGAIN = ("又", "还", "还是", "仍", "仍然", "依然", "照样", "再", "完还是", "完又", "了又")


def _said_again(keyword: str, holding: Mapping[str, Sequence[str]]) -> bool:
    """Whether `keyword` is a defect word after a word of `_AGAIN` (又漏水, 修完还是不亮)."""
    return any(keyword[start:] in holding and keyword[:start].endswith(_AGAIN) for start in range(1, len(keyword)))


def groups_of(keywords: Iterable[str], groups: Mapping[str, tuple[str, ...]],
              allowed: Iterable[str] | None = None, holding: Mapping[str, Sequence[str]] | None = None,
              families: Iterable[str] = ()) -> list[str]:
    """The names of the groups (of `allowed`, if given) that hold one of `keywords` or that one of
    them names with a place (眼睛疼: see COMPOUND_FAMILIES), and the rest of a family when they are
    FAMILY_REACH of its groups, or name its head, or the rule lists the family (`families`: a rule's
    `expand = ["缺陷"]`). `holding` is groups_holding(groups), if the caller has it."""
    return _reached(_named(keywords, groups, holding), groups, allowed, families)


def _named(keywords: Iterable[str], groups: Mapping[str, Sequence[str]],
           holding: Mapping[str, Sequence[str]] | None) -> dict[str, list[str]]:
    """Each keyword -> the groups it names, less the RIVALS the rule names fewer keywords of."""
    holding = groups_holding(groups) if holding is None else holding
    named_by = {keyword: _named_groups(keyword, holding, groups) for keyword in dict.fromkeys(keywords)}
    _compounds_checked(named_by, holding)
    outnumbered = _outnumbered(named_by)
    if outnumbered:
        named_by = {keyword: [name for name in names if name not in outnumbered] for keyword, names in named_by.items()}
    return named_by


def group_counts(keywords: Iterable[str], groups: Mapping[str, Sequence[str]],
                 holding: Mapping[str, Sequence[str]] | None = None, families: Iterable[str] = ()) -> dict[str, int]:
    """Group -> how many of `keywords` name it (RIVALS settled first): which of a file's rules a group
    belongs to (bot/tagging/ownership.py). A group the rule gets without naming it (a subgroup, the rest
    of a family) counts 0: another rule of the file that names it takes it."""
    named_by = _named(keywords, groups, holding)
    counts: dict[str, int] = {}
    for names in named_by.values():
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    for name in _reached(named_by, groups, None, families):
        counts.setdefault(name, 0)
    return counts


def _reached(named_by: Mapping[str, Sequence[str]], groups: Mapping[str, Sequence[str]],
             allowed: Iterable[str] | None, families: Iterable[str] = ()) -> list[str]:
    """The groups (of `allowed`) the keywords name, in the groups' order, and the rest of their families
    (and of `families`, whatever the keywords name)."""
    wanted = None if allowed is None else set(allowed)
    # What the keywords name, whether or not the rule keeps it (a group another rule of the file takes still says
    # what the rule is about: it counts toward a family).
    said = {name for names in named_by.values() for name in names}
    # A family whose guard the rule names (a complaint rule's 太脏, 座椅坏了, 质量差) is not reached, nor its head
    # or the subgroups of its groups: the rule keeps to the kinds it names.
    guarded = {family for family, guard in FAMILY_GUARDS.items() if guard in said}
    closed = {name for family in guarded for name in FAMILIES[family]}
    said -= {FAMILY_HEADS[family] for family in guarded if family in FAMILY_HEADS and family not in families}
    named = {name for name in said if wanted is None or name in wanted}
    reached = named | {sub for name in named - closed for sub in SUBGROUPS.get(name, ())}
    names = [name for name in groups if (wanted is None or name in wanted) and name in reached]
    listed = set(families)
    for family_name, family in FAMILIES.items():
        if family_name in guarded and family_name not in listed:
            continue
        kinds = FAMILY_KINDS.get(family_name, {})
        if len({kinds.get(name, name) for name in set(family) & said}) >= FAMILY_REACH \
                or FAMILY_HEADS.get(family_name) in said or family_name in listed:
            names += [name for name in family if name not in names and name in groups
                      and (wanted is None or name in wanted)]
    return names


def merged(extra: Mapping[str, Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    """The shipped groups with a rule file's `[concepts]` added (new words to a group, new groups)."""
    groups = dict(DEFAULT_CONCEPTS)
    for name, words in (extra or {}).items():
        groups[name] = tuple(dict.fromkeys((*groups.get(name, ()), *words)))
    return groups


def expansion(keywords: Iterable[str], groups: Mapping[str, tuple[str, ...]],
              allowed: Iterable[str] | None = None, holding: Mapping[str, Sequence[str]] | None = None,
              families: Iterable[str] = ()) -> dict[str, str]:
    """Word -> the rule's keyword it stands for, for every word of a group that holds one of
    `keywords` (only `allowed` groups, if given) or of a family they reach or that `families` lists,
    and is not a keyword itself."""
    own = list(dict.fromkeys(keywords))
    present = set(own)
    # Each keyword's groups, found once: the family loop below asks for them per family and name.
    named_by = _named(own, groups, holding)
    named = _reached(named_by, groups, allowed, families)
    reached = set(named)
    added: dict[str, str] = {}
    # A group's words stand for the keyword that names it; a subgroup's, for one that names it if any (漏水 for
    # 一直滴, not the 坏了 that brings it too).
    for subgroups in (False, True):
        done: set[str] = set()  # a group's words, once added in a pass, stand for the first keyword naming it
        for keyword in own:
            for name in named_by[keyword]:
                if name not in reached or name in done:
                    continue
                done.add(name)
                brought = [sub for sub in SUBGROUPS.get(name, ()) if sub in reached] if subgroups else [name]
                for word in (word for group in brought for word in _brought(group, groups)):
                    if word not in present and word not in added:
                        added[word] = keyword
    # The rest of a family the keywords reach (see FAMILIES) stands for the first keyword in it.
    listed = set(families)
    for family_name, family in FAMILIES.items():
        members = frozenset(family)
        first = next((k for k in own if not members.isdisjoint(named_by[k])),
                     own[0] if family_name in listed and own else None)
        for name in family:
            if first is not None and name in named:
                for word in _brought(name, groups):
                    if word not in present and word not in added:
                        added[word] = first
    return added


def groups_holding(groups: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Word -> the names of the groups that hold it, in the groups' order: a rule's thousands of
    keywords are looked up, not searched for in every group (a fifth of `siyu tag`'s start-up).
    Built once per rule file (rules.py hands it to expansion and groups_of)."""
    holding: dict[str, list[str]] = {}
    for name, words in groups.items():
        for word in dict.fromkeys(words):
            holding.setdefault(word, []).append(name)
    return holding
