"""The shipped defect vocabulary: what customers say is wrong with a product or a service, by kind.

Operators of almost every trade keep a tag for a problem report (售后:问题, 售后:质量, 入住:问题, 设备:故障)
and write it with a few words (坏了, 质量, 破损); customers describe the defect instead. These groups join
the shipped concept groups (bot/tagging/concepts.py), which a rule brings by naming one of their words.
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

DEFECTS: dict[str, tuple[str, ...]] = {
    # Something that stopped working (a car, an appliance, a device).
    "故障": ("故障", "出故障", "坏了", "失灵", "不灵", "异响", "有异响", "怪响", "漏油", "渗油", "漏水", "抖动",
           "熄火", "打不着火", "启动不了", "故障灯", "亮灯", "报警", "跑偏", "没反应", "不制冷", "不出风",
           "漏风", "透风", "漏气",
           "抖", "有点抖", "发抖", "灯*亮", "声音*大", "噪音", "噪音大", "卡住了"),
    # Harm done to what the customer entrusted (clothes, furniture, a car, a parcel), one small group
    # per kind, so that an operator's 洗坏 brings 刮花 and 打碎, not 缩水.
    "损坏": ("损坏", "弄坏", "搞坏", "洗坏", "碰坏", "摔坏", "磕坏", "烫坏", "压坏", "打碎", "摔碎", "碎了", "压扁",
           "弄破", "破了", "破洞", "刮花", "划花", "刮坏", "刮伤", "划痕", "刮痕", "磕碰", "磕了", "裂了", "烧焦",
           "不成样", "不成样子", "稀巴烂", "面目全非"),
    "褪色": ("掉色", "褪色", "串色", "染色了", "发黄", "变黄", "泛黄", "变色", "花了"),
    "变形": ("缩水", "变形", "起球", "起皱", "走形", "开线", "脱线", "开胶", "变硬", "缩了"),
    # Lost by the business (丢了 alone is as often the customer's own: 卡丢了怎么补办).
    "丢失": ("弄丢", "搞丢", "给我丢", "丢失", "丢件", "少件", "少了*个", "少了*只", "少了*件", "拿错",
           # Goods sent wrong or short: the wrong item, a part missing, short weight.
           "送错", "送错了", "发错", "发错了", "寄错", "装错", "漏发", "少配件", "缺配件", "少了配件", "配件不全",
           "缺斤少两", "短斤少两", "分量不足", "分量不够", "少了一半",
           # Not what was shown or ordered: 跟图片不一样, 货不对板.
           "跟图片不一样", "和图片不一样", "跟图片差太多", "和图片差太多", "跟图片差很多", "货不对板", "与描述不符",
           "跟描述不符", "跟样品不一样", "和样品不一样", *NOT_AS_SHOWN, *SHORT_BY),
    # A finish left flawed (film, paint, a coating, a print): a bubble, a lifted edge, a mismatch.
    "瑕疵": ("瑕疵", "气泡", "鼓泡", "小泡", "起*泡", "翘边", "翘起", "翘起来", "起翘", "脱胶", "掉漆",
           "流挂", "橘皮", "灰点", "杂质", "色差", "颜色不一样", "颜色不对", "不均匀", "水印", "水渍", "印子",
           # Fitted askew or leaving a gap (a door, a tile, a frame, a sticker): 装歪了, 有点歪, 有条缝.
           "装歪", "贴歪", "挂歪", "装斜", "歪了", "有点歪", "歪歪扭扭", "高低不平", "有缝", "有条缝", "有道缝",
           "缝隙很大", "缝很大"),
    "不干净": ("没洗干净", "没打扫干净", "没擦干净", "没弄干净", "没收拾干净", "不干净", "还是脏", "污渍", "有污渍",
            "异味", "有异味", "怪味", "一股味", "没擦", "没拖", "没扫", "刺鼻", "有味道", "味道很大"),
    # Fresh goods gone off (fruit, flowers, food, a cake): stale, mouldy, rotten, wilted.
    "变质": ("变质", "不新鲜", "馊了", "馊味", "有馊味", "发馊", "发霉", "霉了", "长毛", "长毛了", "长霉", "烂了",
           "烂掉", "臭了", "发臭", "霉味", "有霉味", "蔫了", "枯了", "枯萎", "耷拉", "生虫", "长虫", "虫子", "小虫子",
           "酸味", "有酸味"),
}

DEFECT_FAMILIES: dict[str, tuple[str, ...]] = {
    # Harm after a service: a rule with words of three kinds (洗坏, 掉色, 缩水) hears them all. A
    # thing that stopped working (故障: 坏了) is not one of them: 电梯坏了 is no harm done.
    "损害": ("损坏", "褪色", "变形", "丢失", "不干净", "瑕疵", "变质"),
}
