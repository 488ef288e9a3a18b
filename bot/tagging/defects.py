"""The shipped defect vocabulary: what customers say is wrong with a product or a service, by kind.

Operators of almost every trade keep a tag for a problem report (售后:问题, 售后:质量, 入住:问题, 设备:故障)
and write it with a few words (坏了, 质量, 破损); customers describe the defect instead (叶子都黄了, 一直渗水,
前灯不亮了, 有一道裂口). These groups join the shipped concept groups (bot/tagging/concepts.py): a rule that
names a word of one hears that kind (a 破损 rule hears 裂开 and 缺角, not 不制冷), and a rule that names words of
three kinds, or a word of 质量 (质量问题), hears every kind (the 缺陷 family).
"""

from __future__ import annotations

# Not what was shown, chosen or agreed (颜色跟样板不一样, 跟效果图差太多, 跟我选的不一样): what it was measured
# against and how it differs, read as the segmenter cuts them (READ_AS_CUT), a few characters allowed between.
_REFERENCES = ("图片", "照片", "样品", "样板", "样板间", "效果图", "图纸", "描述", "宣传", "我选的", "我要的", "我订的",
               "订的", "说好的", "合同")
_DIFFERS = ("不一样", "不符", "差太多", "差很多", "对不上", "两回事")
NOT_AS_SHOWN = tuple(f"{link}{reference}*{differs}" for link in ("跟", "和", "与") for reference in _REFERENCES
                     for differs in _DIFFERS)
# Short by a count the segmenter glues to its measure (少了/一个, 少了/两根), which 少了*个 cannot reach.
SHORT_BY = tuple(f"少了{count}{measure}" for count in "一两二三四五" for measure in "个只件根盒份袋瓶张块支")

# A thing that stopped working, a leak and a noise: the three ways a machine, a fitting or a device fails.
_NOT_WORKING = (
    "故障", "出故障", "坏了", "坏掉", "坏掉了", "是坏的", "坏的", "坏在", "失灵", "不灵", "不灵敏", "不好使",
    "不工作", "罢工", "没反应", "抖动", "抖", "有点抖", "发抖", "熄火", "打不着火", "打不着", "点不着", "启动不了",
    "故障灯", "亮灯", "报警", "跑偏", "打滑", "刹车软", "卡住了", "灯*亮", "亮了*灯",
    # Does not do what it is for: light, turn, cool, heat, run water, blow, charge, show, sound.
    "不亮", "不亮了", "不转了", "转不动", "不动了", "不制冷", "还是不冷", "不制热", "不加热", "不出风", "不出水",
    "出不来水", "不出热水", "没热水", "没有热水", "水不热", "出水小", "出水慢", "出水很小", "出水太小", "出水特别小",
    "出水越来越小", "出水很慢", "出水太慢", "出水特别慢", "出水越来越慢", "水流很小", "水流太小", "水流变小", "水压小",
    "水压很小", "水压太小", "不通电", "通不了电", "充不进电", "充不上电", "充不进", "充不了电", "就没电", "掉电快",
    "耗电快", "续航差", "不显示", "没画面", "断网", "掉线", "连不上", "连接不上", "没声音", "没声", "不出墨",
    "卡纸", "不回弹", "回弹不了", "刷不开",
    # A screen or a system that hangs or dies: 死机, 黑屏, 一卡一卡, 老是重启.
    "死机", "黑屏", "蓝屏", "花屏", "闪屏", "白屏", "卡顿", "卡死", "很卡", "好卡", "太卡", "一卡一卡", "突然关机",
    "老是关机", "自己关机", "一直关机", "老是重启", "一直重启", "反复重启", "一直闪", "老是闪", "一闪一闪", "闪烁",
    # Will not close, open or hold: 关不严, 拧不紧, 锁不上.
    "关不严", "关不紧", "关不上", "关不掉", "拧不紧", "锁不上", "合不上", "扣不上", "拉不上", "打不开", "开不了机",
    "插不进",
    # Electrics and heat: 跳闸, 漏电, 冒烟, 发烫.
    "跳闸", "漏电", "短路", "烧坏", "冒烟", "过热",
    # Works now and then: 时好时坏, 断断续续.
    "断断续续", "时好时坏", "时有时无", "忽好忽坏", "时灵时不灵", "一会好一会坏", "又不行了",
)
_LEAKING = ("漏水", "渗水", "滴水", "漏气", "漏油", "渗油", "漏风", "透风", "进水", "返水", "冒水", "溢水", "渗漏",
            "漏雨", "漏液", "跑气", "往下滴", "一直滴", "一直漏", "还在漏", "又漏", "又开始漏", "又渗", "又开始渗",
            "漏出来", "渗出来")
_NOISE = ("异响", "有异响", "怪响", "怪声", "异声", "杂音", "有杂音", "噪音", "噪音大", "声音*大", "吱吱", "吱吱响",
          "吱吱呀呀", "嘎吱", "咯吱", "咯吱响", "咯噔", "咔咔", "咔咔响", "咔哒", "哒哒响", "嗡嗡", "嗡嗡响", "啸叫",
          "电流声", "沙沙声", "滋滋", "滋滋响", "呲呲", "哐当", "咣当", "有响声",
          # A room that lets every noise in (隔音太差, 楼上咚咚咚的).
          "隔音差", "隔音太差", "隔音很差", "隔音不好", "隔音也太差", "咚咚咚", "吵得睡不着", "吵得没法睡")

DEFECTS: dict[str, tuple[str, ...]] = {
    # Something that stopped working (a car, an appliance, a device, a fitting), a leak, a noise: 故障 brings
    # 渗漏 and 异响, and 异响 brings 故障 (DEFECT_SUBGROUPS).
    "故障": _NOT_WORKING,
    "渗漏": _LEAKING,
    "异响": _NOISE,
    # Harm done to what the customer entrusted or bought (clothes, furniture, a car, a parcel), one small
    # group per kind, so that an operator's 洗坏 brings 刮花 and 打碎, not 缩水.
    "损坏": ("损坏", "破损", "弄坏", "搞坏", "洗坏", "碰坏", "摔坏", "磕坏", "烫坏", "压坏", "撞坏", "打碎", "摔碎",
           "碎了", "碎掉", "碎成", "碎末", "碎渣", "全碎", "压扁", "压瘪", "瘪了", "弄破", "破了", "破洞", "刮花",
           "划花", "蹭花", "刮坏", "刮伤", "划痕", "刮痕", "磕碰", "磕了", "磕掉", "裂了", "裂开", "裂口", "裂缝",
           "裂纹", "裂痕", "开裂", "断了", "断掉", "折断", "掰断", "断裂", "缺角", "缺了个角", "掉角", "崩了", "崩边",
           "崩口", "凹了", "凹陷", "凹进去", "撞凹", "塌了", "塌下去", "塌陷", "脱落", "掉下来了", "掉了一块",
           "一块一块掉", "破了个洞", "烫了个洞", "烧了个洞", "有个洞", "一碰就坏", "一碰就碎", "一碰就断", "一碰就掉",
           "一碰就花", "烧焦", "不成样", "不成样子", "稀巴烂", "面目全非"),
    "褪色": ("掉色", "褪色", "串色", "染色了", "发黄", "变黄", "泛黄", "黄了", "发黑", "变色", "花了"),
    "变形": ("缩水", "变形", "起球", "起皱", "走形", "开线", "脱线", "开胶", "变硬", "缩了"),
    # Lost by the business (丢了 alone is as often the customer's own: 卡丢了怎么补办).
    "丢失": ("弄丢", "搞丢", "给我丢", "丢失", "丢件", "少件", "少了*个", "少了*只", "少了*件", "拿错",
           # Goods sent wrong or short: the wrong item, a part missing, short weight, only part of it come.
           "送错", "送错了", "发错", "发错了", "寄错", "装错", "给错", "发错货", "漏发", "漏送", "少配件", "缺配件",
           "少了配件", "配件不全", "缺件", "缺斤少两", "短斤少两", "分量不足", "分量不够", "少了一半", "只来了",
           "只收到", "只到了", "只送了", "只发了", "不是我买的", "不是我订的", "不是我要的", "不是我点的",
           # Not what was shown or ordered: 跟图片不一样, 货不对板.
           "跟图片不一样", "和图片不一样", "跟图片差太多", "和图片差太多", "跟图片差很多", "货不对板", "与描述不符",
           "跟描述不符", "跟样品不一样", "和样品不一样", *NOT_AS_SHOWN, *SHORT_BY),
    # A finish left flawed (film, paint, a coating, a print): a bubble, a lifted edge, a mismatch.
    "瑕疵": ("瑕疵", "气泡", "鼓泡", "小泡", "起*泡", "翘边", "翘起", "翘起来", "起翘", "翘出来", "脱胶", "掉漆",
           "流挂", "橘皮", "灰点", "杂质", "色差", "颜色不一样", "颜色不对", "不均匀", "水印", "水渍", "印子",
           # Fitted askew or leaving a gap (a door, a tile, a frame, a sticker): 装歪了, 有点歪, 有条缝.
           "装歪", "贴歪", "挂歪", "装斜", "歪了", "有点歪", "歪歪扭扭", "高低不平", "有缝", "有条缝", "有道缝",
           "缝隙很大", "缝很大", "是歪的", "没干透",
           # Made uneven (lashes, a hem, a fringe): 一边长一边短, 长短不一.
           "一边长一边短", "长短不一"),
    # Dirt, described, not judged (太脏, 不卫生 are a complaint's words: a complaint rule that lists them must not
    # hear every dusty shelf).
    "不干净": ("没洗干净", "没打扫干净", "没擦干净", "没弄干净", "没收拾干净", "不干净", "还是脏", "污渍", "有污渍",
            "没擦", "没拖", "没扫", "很脏", "好脏", "这么脏", "那么脏", "脏了", "有点脏", "脏兮兮", "脏得", "有灰",
            "全是灰", "一层灰", "灰尘", "全是油", "油乎乎", "黏糊糊", "黏黏的", "有头发", "头发丝", "有毛发", "蟑螂",
            "小强", "老鼠", "烟头", "烟灰", "没人打扫", "没打扫", "没人收拾", "床单没换", "没消毒"),
    # A smell (a room, a car, water, a sofa): 霉味, 反味, 一股烟味. A fishmonger's 异味 hears 腥臭, not 有头发.
    "异味": ("异味", "有异味", "怪味", "有怪味", "一股味", "有股味", "有味道", "味道很大", "味道大", "刺鼻", "霉味",
           "有霉味", "臭味", "有臭味", "好臭", "很臭", "太臭", "臭死了", "臭烘烘", "烟味", "有烟味", "反味", "返味",
           "下水道味", "腥味", "腥臭", "甲醛味", "油漆味", "塑料味", "消毒水味", "汽油味", "焦味", "尿骚味", "潮味"),
    # Fresh goods gone off (fruit, flowers, food, a cake, tea): stale, mouldy, rotten, wilted, damp.
    "变质": ("变质", "不新鲜", "馊了", "馊味", "有馊味", "发馊", "发霉", "霉了", "长毛", "长毛了", "长霉", "霉点",
           "霉斑", "烂了", "烂掉", "臭了", "发臭", "蔫了", "枯了", "枯萎", "耷拉", "生虫", "长虫", "有虫", "虫子",
           "小虫子", "虫眼", "酸味", "有酸味", "变味", "变味了", "发酸", "受潮", "潮了", "返潮", "发潮", "潮潮的",
           "潮乎乎", "都化了", "化掉了", "融化了",
           # Leaves and petals gone yellow or black (叶子都黄了, 花瓣边上发黑).
           "叶子黄了", "叶子发黄", "叶子变黄", "叶子都黄了", "叶子全黄了", "叶子有点黄", "叶子枯了", "叶子都枯了",
           "黄叶", "烂叶", "花瓣发黑", "花瓣黑了", "花瓣都黑了", "花瓣烂了"),
    # What is wrong said in general (质量问题, 出毛病, 做工差): a rule with such a word is about defects of
    # every kind and hears the whole 缺陷 family (FAMILY_HEADS).
    "质量": ("质量问题", "有质量问题", "质量有问题", "质量不好", "质量不行", "质量太差", "质量差", "质量很差",
           "质量真差", "质量堪忧", "做工差", "做工不好", "做工粗糙", "做工太差", "粗制滥造", "次品", "残次品",
           "不合格", "有毛病", "出毛病", "出问题", "出了问题", "出了点问题", "出现问题"),
}

DEFECT_FAMILY = "缺陷"
DEFECT_FAMILIES: dict[str, tuple[str, ...]] = {
    # Harm after a service: a rule with words of three kinds (洗坏, 掉色, 缩水) hears them all. A
    # thing that stopped working (故障: 坏了) is not one of them: 电梯坏了 is no harm done.
    "损害": ("损坏", "褪色", "变形", "丢失", "不干净", "异味", "瑕疵", "变质"),
    # Every defect: a rule that names groups of three kinds (DEFECT_KINDS: 坏了, 漏水, 不干净, a homestay's
    # 入住:问题) or a word of 质量 (质量问题) is about whatever is wrong with the product or the service, and hears
    # it all; a rule of one or two kinds keeps to its groups (a bookshop's 破损 and 污渍 hear 裂开 and 有灰, not
    # 不制冷; a spa's 不干净, 有异味 and 发霉 are all dirt). 松动 (a part come loose) is also a sign of discomfort.
    DEFECT_FAMILY: ("质量", "故障", "渗漏", "异响", "损坏", "褪色", "变形", "丢失", "瑕疵", "不干净", "异味", "变质",
                    "松动"),
}
# The kind of defect each group tells, for the family's reach: broken, leaking, noisy, damaged, dirty or spoiled,
# missing or wrong.
DEFECT_KINDS: dict[str, str] = {"故障": "坏", "渗漏": "漏", "异响": "响", "损坏": "破", "变形": "破", "瑕疵": "破",
                                "褪色": "破", "松动": "破", "不干净": "脏", "异味": "脏", "变质": "脏", "丢失": "缺",
                                "质量": "质量"}
# A group that brings its whole family when a rule names one of its words.
FAMILY_HEADS: dict[str, str] = {DEFECT_FAMILY: "质量"}
# A rule that names a word of the guard's group reaches neither the family nor its head, nor a group's subgroups:
# a complaint rule that names a defect or two as examples (太脏, 有异味, 座椅坏了, 质量差) keeps to the kinds it
# names, since a plain defect report is no complaint (many trades tag it a problem, not a complaint).
FAMILY_GUARDS: dict[str, str] = {DEFECT_FAMILY: "投诉"}
# A group a defect group brings whole, which a rule of its words alone gets without it (SUBGROUPS): a leak and a
# noise are how a machine fails, and a noise is heard as its failing (an operator's 异响 hears 方向盘一直抖); a rule
# of leaks alone (a roofer's 漏水, 渗水) keeps to them.
DEFECT_SUBGROUPS: dict[str, tuple[str, ...]] = {"故障": ("渗漏", "异响"), "异响": ("故障",)}
# What a rule with a defect group that names no `not_mood` refuses: the general default and a defect asked about
# (会不会漏水, 漏不漏水, 有异味吗), expected (容易坏吗) or heard of (听说这款爱坏).
DEFECT_NOT_MOOD = ("question", "hypothetical", "worry", "hearsay", "expectation", "deferred", "passed", "praised",
                   "settled", "named", "experienced", "quoted", "reversed", "set_aside")

# Cues a defect group brings (DEFAULT_CUES): the wrong thing come, told as what came and what was ordered
# (寄来的是红茶，我买的是白茶; 送来的是粉色的，我订的明明是香槟色), one point a side.
_CAME = ("送来的是", "寄来的是", "发来的是", "收到的是", "到手的是", "拿到的是", "送到的是", "给我的是", "来的却是")
_ORDERED = ("我订的*是", "我买的*是", "我要的*是", "我点的*是", "我选的*是", "我拍的*是", "我下单的*是")
DEFECT_CUES: dict[str, dict[str, float]] = {"丢失": {**dict.fromkeys(_CAME, 1.0), **dict.fromkeys(_ORDERED, 1.0)}}
