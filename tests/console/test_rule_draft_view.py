"""POST /console/rules/draft, behind 标注's 「加进规则」 and 「去掉这个词」 (both databases): the 标签规则 editor
with the draft and 改动预览 to run on it, nothing saved until the operator saves (then audited, back to 标注
with better figures); refusals and bad input said in Chinese, the rules shown as they are."""

from __future__ import annotations

from html import unescape

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from bot.labels.store import save_label
from bot.models import AuditEntry
from tests.console.conftest import START, Console, csrf_token
from tests.console.test_labels import write
from tests.console.test_rules import console  # noqa: F401 - the fixture: rules where the config says


def post_draft(client: FlaskClient, token: str | None, **fields: str):  # type: ignore[no-untyped-def]
    return client.post("/console/rules/draft", data={**fields, **({"csrf_token": token} if token else {})})


def textarea(html: str) -> str:
    return unescape(html[html.index('id="source"'):].split(">", 1)[1].split("</textarea>")[0])


def audited(app: Console) -> list[str]:
    with app.runtime.db.session() as session:
        return list(session.scalars(select(AuditEntry.action).where(AuditEntry.target == "tags")))


def test_a_suggested_word_opens_a_draft_and_only_saving_changes_the_rules(console: Console) -> None:  # noqa: F811
    texts = {"下巴想打点填充": ["项目:玻尿酸"], "填充苹果肌多少钱": ["项目:玻尿酸", "关注:价格"], "好的谢谢": []}
    ids = write(console, "张三", *texts)
    with console.runtime.db.session() as session:
        for message, tags in zip(ids, texts.values(), strict=True):
            save_label(session, message, tags, ("项目:玻尿酸", "关注:价格"), "op", START)
    op = console.login("op")
    path = console.runtime.config.bot.tag_rules_path
    original = path.read_text(encoding="utf-8")
    labels = op.get("/console/labels").get_data(as_text=True)
    assert '<input type="hidden" name="word" value="填充">' in labels and "加进规则" in labels
    assert '<div class="value">33.3%</div>' in labels                                    # recall: 1 of 3

    page = post_draft(op, csrf_token(op, "/console/labels"), change="add", tag="项目:玻尿酸", word="填充")

    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "草稿：把「填充」加进「项目:玻尿酸」的关键词" in html
    draft = textarea(html)
    assert draft == original.replace('"艾莉薇", "溶解酶"]', '"艾莉薇", "溶解酶", "填充"]', 1) != original
    assert 'data-autorun="1"' in html and '<input type="hidden" name="back" value="labels">' in html
    assert '<span class="add">+' in html and "填充" in html[html.index('id="draft-diff"'):]
    assert path.read_text(encoding="utf-8") == original and audited(console) == []      # nothing saved yet
    token = csrf_token(op, "/console/rules")
    preview = op.post("/console/rules/replay", data={"source": draft, "csrf_token": token}).get_json()["labels"]
    assert (preview["fixed_count"], preview["broken_count"]) == (2, 0)

    saved = op.post("/console/rules", data={"source": draft, "back": "labels", "csrf_token": token})

    assert saved.status_code == 302 and saved.headers["Location"].endswith("/console/labels")
    assert path.read_text(encoding="utf-8") == draft and audited(console) == ["rules_save"]
    after = op.get("/console/labels").get_data(as_text=True)
    assert "新规则已生效" in after and '<div class="value">100.0%</div>' in after


def test_a_wrongly_firing_keyword_is_drafted_out(console: Console) -> None:  # noqa: F811
    op = console.login("op")
    original = console.runtime.config.bot.tag_rules_path.read_text(encoding="utf-8")

    page = post_draft(op, csrf_token(op, "/console/rules"), change="remove", tag="项目:热玛吉", word="热玛奇")

    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "从「项目:热玛吉」的关键词里去掉「热玛奇」" in html
    assert textarea(html) == original.replace('"热玛吉", "热玛奇", ', '"热玛吉", ', 1)


@pytest.mark.parametrize(("fields", "status", "says"), [
    ({"change": "add", "tag": "意向:预约", "word": "预约"}, 409, "已经在「意向:预约」的关键词里了"),
    ({"change": "add", "tag": "关注:价格", "word": "怎么收费"}, 409, "由词表或概念组带来"),
    ({"change": "remove", "tag": "意向:预约", "word": "老规矩"}, 409, "不是「意向:预约」的规则直接列出的关键词"),
    ({"change": "add", "tag": "兴趣:露营", "word": "帐篷"}, 400, "标签（tag）「兴趣:露营」"),
    ({"change": "add", "tag": "", "word": "帐篷"}, 400, "标签（tag）不能为空"),
    ({"change": "add", "tag": "意向:预约", "word": ""}, 400, "词（word）不能为空"),
    ({"change": "add", "tag": "意向:预约", "word": '老"规矩'}, 400, "词（word）里不能有"),
    ({"change": "add", "tag": "意向:预约", "word": "老规矩\n[[keyword]]"}, 400, "词（word）里不能有"),
    ({"change": "add", "tag": "意向:预约", "word": "老" * 200}, 400, "词（word）太长"),
    ({"change": "save", "tag": "意向:预约", "word": "老规矩"}, 400, "改法（change）"),
    ({}, 400, "改法（change）"),
])
def test_what_cannot_be_drafted_says_why_and_shows_the_rules_as_they_are(
        console: Console, fields: dict[str, str], status: int, says: str) -> None:  # noqa: F811
    op = console.login("op")
    original = console.runtime.config.bot.tag_rules_path.read_text(encoding="utf-8")

    page = post_draft(op, csrf_token(op, "/console/rules"), **fields)

    html = page.get_data(as_text=True)
    assert page.status_code == status and "没有生成草稿" in html and says in unescape(html)
    assert textarea(html) == original and 'data-autorun' not in html


def test_a_broken_rules_file_is_not_drafted_on(console: Console) -> None:  # noqa: F811
    path = console.runtime.config.bot.tag_rules_path
    broken = path.read_text(encoding="utf-8") + "\n[[keyword]]\ntag = \"兴趣:露营\"\nkeywrds = [\"露营\"]\n"
    path.write_text(broken, encoding="utf-8")
    op = console.login("op")

    page = post_draft(op, csrf_token(op, "/console/rules"), change="add", tag="意向:预约", word="老规矩")

    html = page.get_data(as_text=True)
    assert page.status_code == 409 and "规则文件现在校验不通过，不能自动修改" in html
    assert textarea(html) == broken and path.read_text(encoding="utf-8") == broken


def test_drafts_need_the_csrf_token_and_the_rule_editors_role(console: Console) -> None:  # noqa: F811
    op = console.login("op")
    assert post_draft(op, None, change="add", tag="意向:预约", word="老规矩").status_code == 400
    console.add_user("li", "guide", "guide_li")
    guide = console.login("li")
    token = csrf_token(guide, "/console/customers")
    assert post_draft(guide, token, change="add", tag="意向:预约", word="老规矩").status_code == 403
    assert audited(console) == []
