"""标注与准确率: labels stored one per customer message (replaced, deleted, gone with the message), the
rules scored on them (micro and per tag, with the messages they get wrong), the 标注 page and its JSON
saves (bad input refused, nothing stored), the JSONL export, and 改动预览 scoring an edit on the labels
(both databases)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from bot.labels.advice import MODEL, advise
from bot.labels.scores import compare, score, tag_all
from bot.labels.store import (LabelError, Said, UnknownMessage, count_to_label, delete_label, export_lines, labelled,
                              save_label, to_label)
from bot.models import AuditEntry, Message, MessageLabel
from bot.tagging.matches import TagMatch
from tests.console.conftest import START, Console, csrf_token
from tests.console.test_rules import NEW_RULE, console  # noqa: F401 - the fixture: rules where the config says

KNOWN = ("意向:预约", "关注:价格", "诉求:退款")


def write(app: Console, name: str, *texts: str, direction: str = "in", kind: str = "text") -> list[int]:
    """Messages from one (new) customer, a minute apart; their ids."""
    customer = app.customer(name)
    with app.runtime.db.session() as session:
        messages = [Message(customer_id=customer, direction=direction, channel="kf", msg_type=kind, content=text,
                            status="received", created_at=START + timedelta(minutes=i))
                    for i, text in enumerate(texts)]
        session.add_all(messages)
        session.flush()
        return [m.id for m in messages]


class Fixed:
    """A tagger that gives each text the tags listed for it."""

    def __init__(self, tags: dict[str, tuple[str, ...]]) -> None:
        self.tags = tags

    def tag(self, text: str) -> list[TagMatch]:
        return [TagMatch(tag, tag.split(":")[0], f"keyword:{tag}", (), text) for tag in self.tags.get(text, ())]


def said(text: str, *tags: str, message_id: int = 0) -> Said:
    return Said(message_id or hash(text) % 10_000, 1, "客户", text, START, tags)


def test_scores_count_message_tag_pairs_and_list_the_wrong_and_missed_tags() -> None:
    labels = [said("想预约周六", "意向:预约"), said("多少钱", "关注:价格"),
              said("能退吗多少钱", "诉求:退款", "关注:价格"), said("好的谢谢")]
    tagger = Fixed({"想预约周六": ("意向:预约",), "多少钱": ("关注:价格",), "能退吗多少钱": ("关注:价格",),
                    "好的谢谢": ("意向:预约",)})

    scores = score(labels, tagger)

    assert scores.messages == 4
    assert (scores.total.right, scores.total.given, scores.total.labelled) == (3, 4, 4)
    assert (scores.total.precision, scores.total.recall, scores.total.f1) == (0.75, 0.75, 0.75)
    per_tag = {s.tag: (s.counts.right, s.counts.given, s.counts.labelled) for s in scores.per_tag}
    assert per_tag == {"意向:预约": (1, 2, 1), "关注:价格": (2, 2, 2), "诉求:退款": (0, 0, 1)}
    assert [s.tag for s in scores.per_tag][0] == "关注:价格"                       # the most labelled first
    refund = next(s for s in scores.per_tag if s.tag == "诉求:退款")
    assert refund.counts.precision is None and refund.counts.recall == 0.0       # never given: no precision
    wrong = {d.said.text: (d.wrong, d.missed) for d in scores.disagreements}
    assert wrong == {"能退吗多少钱": ((), ("诉求:退款",)), "好的谢谢": (("意向:预约",), ())}
    assert score([], tagger).total.f1 is None


def test_compare_lists_the_labelled_messages_an_edit_fixes_and_breaks() -> None:
    labels = [said("能退吗", "诉求:退款", message_id=1), said("好的谢谢", message_id=2),
              said("想预约", "意向:预约", message_id=3)]
    running = Fixed({"好的谢谢": ("意向:预约",), "想预约": ("意向:预约",)})
    edited = Fixed({"能退吗": ("诉求:退款",), "好的谢谢": ("意向:预约",)})

    comparison = compare(labels, running, edited)

    assert [d.said.message_id for d in comparison.fixed] == [1]
    assert comparison.fixed[0].missed == ("诉求:退款",)                            # what was wrong
    assert [d.said.message_id for d in comparison.broken] == [3]
    assert comparison.broken[0].missed == ("意向:预约",)                           # what goes wrong
    assert comparison.before.total.recall == 0.5 and comparison.after.total.recall == 0.5


def test_a_label_is_saved_replaced_deleted_and_goes_with_its_message(console: Console) -> None:  # noqa: F811
    first, second, third = write(console, "张三", "想预约周六下午", "多少钱", "好的谢谢")
    [own] = write(console, "导购", "露营活动每月一次", direction="out")
    [picture] = write(console, "李四", "照片", kind="image")
    _again, thanks = write(console, "王五", "多少钱", "好的谢谢")  # said before: each text is listed once
    now = console.clock.now()
    with console.runtime.db.session() as session:
        save_label(session, first, ["意向:预约"], KNOWN, "op", now)
        save_label(session, second, ["关注:价格", "意向:预约"], KNOWN, "op", now)
        save_label(session, second, ["关注:价格"], KNOWN, "op2", now)               # replaced, not added
        for refused in (lambda: save_label(session, own, [], KNOWN, "op", now),   # the bot's words
                        lambda: save_label(session, picture, [], KNOWN, "op", now),
                        lambda: save_label(session, 999_999, [], KNOWN, "op", now)):
            with pytest.raises(UnknownMessage):
                refused()
        with pytest.raises(LabelError, match="兴趣:露营"):
            save_label(session, third, ["兴趣:露营"], KNOWN, "op", now)
    with console.runtime.db.session() as session:
        stored = {s.message_id: (s.tags, s.labelled_by) for s in labelled(session)}
        assert stored == {first: (("意向:预约",), "op"), second: (("关注:价格",), "op2")}
        # unlabelled first; 好的谢谢 by its newest message, 多少钱 by its label (not again, unlabelled)
        assert [s.message_id for s in to_label(session, 10)] == [thanks, second, first]
        assert [s.message_id for s in to_label(session, 2, 1)] == [second, first]
        assert count_to_label(session) == 3
        assert [s.message_id for s in to_label(session, 10, pool=2)] == [thanks]  # of the latest two only
        assert count_to_label(session, pool=2) == 1
        assert [json.loads(line) for line in export_lines(session)] == [
            {"text": "想预约周六下午", "tags": ["意向:预约"]}, {"text": "多少钱", "tags": ["关注:价格"]}]
        assert delete_label(session, first) and not delete_label(session, first)
        session.execute(delete(Message).where(Message.id == second))                # retention deletes a message
    with console.runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(MessageLabel)) == 0


def post_label(client, message_id: int, body: object, token: str, raw: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(f"/console/labels/{message_id}", data=raw if raw is not None else json.dumps(body),
                       content_type="application/json", headers={"X-CSRFToken": token})


def test_the_page_lists_messages_with_the_rules_tags_and_a_save_moves_the_figures(console: Console) -> None:  # noqa: F811
    booking, price, thanks = write(console, "张三", "想预约周六下午", "这个疗程多少钱", "好的谢谢，收到")
    op = console.login("op")
    page = op.get("/console/labels").get_data(as_text=True)
    assert "标注与准确率" in page and "还没有标注" in page and "客户最近的 3 条文字消息" in page
    row = page[page.index(f'data-message-id="{thanks}"'):page.index(f'data-message-id="{price}"')]
    assert "好的谢谢，收到" in row and "规则打：无" in row
    row = page[page.index(f'data-message-id="{booking}"'):]
    assert 'data-tag="意向:预约"' in row.split("</tr>")[0]
    token = csrf_token(op, "/console/labels")

    saved = post_label(op, booking, {"tags": ["意向:预约"]}, token).get_json()
    assert saved["ok"] and saved["tags"] == ["意向:预约"] and "100.0%" in saved["scores_html"]
    # the rules tag the price question 关注:价格; the operator says it also wants to book
    post_label(op, price, {"tags": ["关注:价格", "意向:预约"]}, token)
    page = op.get("/console/labels").get_data(as_text=True)
    figures = page[page.index('id="label-scores"'):page.index('id="label-box"')]
    assert "2 条" in figures and "规则打的 2 个标签里对 2 个" in figures and "该打的 3 个标签里打上 2 个" in figures
    assert "66.7%" in figures and "80.0%" in figures                                   # recall and F1
    assert "漏打 意向:预约" in figures and "这个疗程多少钱" in figures
    assert page.index(f'data-message-id="{thanks}"') < page.index(f'data-message-id="{booking}"')  # unlabelled first

    export = op.get("/console/labels.jsonl")
    assert export.status_code == 200 and "attachment" in export.headers["Content-Disposition"]
    assert [json.loads(line) for line in export.get_data(as_text=True).splitlines()] == [
        {"text": "想预约周六下午", "tags": ["意向:预约"]},
        {"text": "这个疗程多少钱", "tags": ["关注:价格", "意向:预约"]}]

    undone = op.post(f"/console/labels/{price}/delete", headers={"X-CSRFToken": token}).get_json()
    assert undone["ok"] and "100.0%" in undone["scores_html"]
    with console.runtime.db.session() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("label%"))
                                  .order_by(AuditEntry.id)).all()
    assert actions == ["label_save", "label_save", "label_delete"]


def test_bad_labels_are_refused_and_nothing_is_stored(console: Console) -> None:  # noqa: F811
    [message] = write(console, "张三", "想预约周六下午")
    op = console.login("op")
    token = csrf_token(op, "/console/labels")

    unknown_tag = post_label(op, message, {"tags": ["兴趣:露营"]}, token)
    assert unknown_tag.status_code == 400 and "兴趣:露营" in unknown_tag.get_json()["error"]
    assert post_label(op, 999_999, {"tags": []}, token).status_code == 404
    for body, raw in (({}, "不是 JSON"), ({"tags": "意向:预约"}, None), ({"tags": [1]}, None), ([], None)):
        refused = post_label(op, message, body, token, raw)
        assert refused.status_code == 400 and "JSON" in refused.get_json()["error"]
    assert op.post(f"/console/labels/{message}/delete", headers={"X-CSRFToken": token}).status_code == 404
    no_token = op.post(f"/console/labels/{message}", data=json.dumps({"tags": []}), content_type="application/json")
    assert no_token.status_code == 400
    with console.runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(MessageLabel)) == 0


def test_guides_cannot_label(console: Console) -> None:  # noqa: F811
    [message] = write(console, "张三", "想预约周六下午")
    console.add_user("li", "guide", "guide_li")
    guide = console.login("li")
    token = csrf_token(guide, "/console/customers")
    assert guide.get("/console/labels").status_code == 403
    assert guide.get("/console/labels.jsonl").status_code == 403
    assert post_label(guide, message, {"tags": []}, token).status_code == 403


def test_the_preview_scores_an_edit_on_the_labels(console: Console) -> None:  # noqa: F811
    camping, tent, price = write(console, "张三", "周末组织露营吗", "帐篷要自己带吗", "这个疗程多少钱")
    op = console.login("op")
    token = csrf_token(op, "/console/rules")
    path = console.runtime.config.bot.tag_rules_path

    def preview(source: str) -> dict:  # type: ignore[type-arg]
        return op.post("/console/rules/replay", data={"source": source, "csrf_token": token}).get_json()

    assert preview(path.read_text(encoding="utf-8"))["labels"] is None             # no labels: nothing to score
    with console.runtime.db.session() as session:  # 兴趣:露营 is not a running tag: stored as the edit would have it
        for message, tags in ((camping, ["兴趣:露营"]), (tent, []), (price, ["关注:价格"])):
            session.add(MessageLabel(message_id=message, tags=tags, labelled_by="op", labelled_at=START))

    labels = preview(path.read_text(encoding="utf-8") + NEW_RULE)["labels"]

    assert labels["messages"] == 3 and (labels["fixed_count"], labels["broken_count"]) == (1, 1)
    assert [d["text"] for d in labels["fixed"]] == ["周末组织露营吗"] and labels["fixed"][0]["missed"] == ["兴趣:露营"]
    assert [d["text"] for d in labels["broken"]] == ["帐篷要自己带吗"] and labels["broken"][0]["wrong"] == ["兴趣:露营"]
    assert labels["before"] == {"right": 1, "given": 1, "labelled": 2, "precision": 1.0, "recall": 0.5,
                                "f1": pytest.approx(2 / 3)}
    assert (labels["after"]["right"], labels["after"]["given"], labels["after"]["recall"]) == (2, 3, 1.0)
    assert "/console/customers/" in labels["broken"][0]["customer_url"]


def shown(html: str) -> str:
    """What a reader sees of a piece of the page: its text, without the markup, spaces run together."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


class Reading(Fixed):
    """`Fixed`, reading each text as the words its spaces part."""

    def tokens(self, text: str) -> list[str]:
        return text.split()


def test_advice_names_the_words_missed_messages_share_and_the_keywords_that_tag_wrongly() -> None:
    labels = [said("周末 想 补水", "项目:水光针"), said("补水 项目 什么 感觉", "项目:水光针"),
              said("冬天 皮肤 补水"), said("约 闺蜜 喝茶"), said("约 闺蜜 电影"), said("约 周六", "意向:预约"),
              said("周六 热玛吉", "项目:水光针")]
    tagger = Reading({})
    tagger.tags = {"约 闺蜜 喝茶": ("意向:预约",), "约 闺蜜 电影": ("意向:预约",), "约 周六": ("意向:预约",),
                   "周六 热玛吉": ("项目:热玛吉",)}
    matched = {"约 闺蜜 喝茶": ("约",), "约 闺蜜 电影": ("约",), "约 周六": ("约",)}

    def tag(text: str) -> list[TagMatch]:
        return [TagMatch(t, t.split(":")[0], f"keyword:{t}", matched.get(text, ()), text)
                for t in tagger.tags.get(text, ())]

    tagger.tag = tag  # type: ignore[method-assign]
    own = {"意向:预约": frozenset({"约"}), "项目:热玛吉": frozenset({"热玛吉"})}

    advice = {a.tag: a for a in advise(tag_all(labels, tagger), tagger, frozenset({"约", "热玛吉", "周六"}), own)}

    water = advice["项目:水光针"]
    assert (water.missed, water.wrong) == (3, 0) and not water.fired_words
    assert [(w.word, w.missed, w.elsewhere) for w in water.new_words] == [("补水", 2, 1)]   # 周六: a rule lists it
    assert water.new_words[0].examples == ("周末 想 补水", "补水 项目 什么 感觉")
    booking = advice["意向:预约"]
    assert (booking.missed, booking.wrong, booking.new_words) == (0, 2, ())            # 闺蜜: not a missed message's
    assert [(w.word, w.wrong, w.right, w.examples) for w in booking.fired_words] == [
        ("约", 2, 1, ("约 闺蜜 喝茶", "约 闺蜜 电影"))]
    model = advice["项目:热玛吉"].fired_words                                           # no keyword of its rules fired
    assert [(w.word, w.wrong, w.right) for w in model] == [(MODEL, 1, 0)]
    assert list(advice) == ["项目:水光针", "意向:预约", "项目:热玛吉"]                   # the most disagreements first


def test_the_page_suggests_words_to_add_and_the_keywords_that_tag_wrongly(console: Console) -> None:  # noqa: F811
    texts = {"周末想补水": ["项目:水光针"], "补水项目做一次什么感觉": ["项目:水光针"], "冬天皮肤要多补水": [],
             "周六约个闺蜜喝茶": [], "约闺蜜去看电影": [], "约周六下午": ["意向:预约"], "想约一次": ["意向:预约"]}
    ids = write(console, "张三", *texts)
    with console.runtime.db.session() as session:
        for message, tags in zip(ids, texts.values(), strict=True):
            by = "李导购（导购）" if message == ids[3] else "op"  # a guide said 标错了 in the chat sidebar
            save_label(session, message, tags, ("项目:水光针", "意向:预约"), by, START)
    op = console.login("op")

    page = op.get("/console/labels").get_data(as_text=True)

    disagreements = shown(page[page.index('id="label-disagreements"'):page.index('id="label-advice"')])
    assert "周六约个闺蜜喝茶 张三" in disagreements and "标注：李导购（导购）" in disagreements
    assert "已标注 · 李导购（导购）" in shown(page[page.index('id="label-box"'):])

    advice = page[page.index('id="label-advice"'):page.index('id="label-box"')]
    water = shown(advice[advice.index('data-tag="项目:水光针"'):])
    assert "漏打 2 条" in water and "「补水」 漏打的 2 条里 2 条说了；不该打这个标签的也有 1 条说了" in water
    assert "「周末想补水」" in water and "「补水项目做一次什么感觉」" in water
    booking = shown(advice[advice.index('data-tag="意向:预约"'):advice.index('data-tag="项目:水光针"')])
    assert "多打 2 条" in booking and "「约」 打错 2 次，打对 1 次" in booking and "漏打" not in booking
    assert "「周六约个闺蜜喝茶」" in booking and "「约闺蜜去看电影」" in booking
    assert "想约" not in booking                                   # never wrong: not a keyword to narrow

    token = csrf_token(op, "/console/labels")                      # labelled right: the advice goes with it
    for message in ids[3:5]:
        post_label(op, message, {"tags": ["意向:预约"]}, token)
    scores_html = post_label(op, ids[0], {"tags": []}, token).get_json()["scores_html"]
    assert 'data-tag="意向:预约"' not in scores_html and "「补水」" not in scores_html
    assert "漏打的消息里没有两条以上都说的新词" in shown(scores_html)
