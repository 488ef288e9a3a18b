"""Guides writing to the app: 「帮助」, 「任务」 lists their follow-up tasks, 「完成 N」 closes one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from tests.support.guide_tasks import open_task, stored_tasks, wecom_customer
from tests.support.guides import say
from tests.support.harness import Harness


def test_help_describes_the_task_commands_and_the_digest_time(frozen_harness: Harness) -> None:
    reply = say(frozen_harness, "guide_li", "帮助")
    assert "思域助手" in reply and "「任务」" in reply and "「完成 编号」" in reply
    assert "每天 09:00 推送您的待跟进任务" in reply


def test_tasks_lists_the_guides_own_open_tasks_oldest_first_and_counts_the_rest(
        frozen_harness: Harness, clock: FrozenClock) -> None:
    h = frozen_harness
    assert say(h, "guide_li", "任务") == "您目前没有待跟进的任务。"
    wang, zhao = wecom_customer(h, "王女士"), wecom_customer(h, "赵先生")
    others = open_task(h, wecom_customer(h, "钱女士", guide="guide_wang"), guide="guide_wang")
    ids, long_text = [], "第0条：您好，" + "最近恢复得怎么样" * 5
    for n in range(12):
        ids.append(open_task(h, wang if n % 2 == 0 else zhao, text=long_text.replace("0", str(n), 1)))
        clock.advance(timedelta(minutes=1))
    reply = say(h, "guide_li", " 任务 ")
    lines = reply.splitlines()
    assert lines[0] == "您的待跟进任务（共 12 条）："
    assert lines[1] == f"{ids[0]}. 王女士：{long_text[:30]}…"                  # a short text on one line
    assert lines[2].startswith(f"{ids[1]}. 赵先生：第1条")
    assert [line.split(".")[0] for line in lines[1:11]] == [str(i) for i in ids[:10]]
    assert lines[11] == "……还有2条"
    assert f"「完成 {ids[0]}」" in lines[12]
    assert str(others) not in [line.split(".")[0] for line in lines]


def test_complete_closes_the_guides_task(frozen_harness: Harness, clock: FrozenClock) -> None:
    h = frozen_harness
    customer = wecom_customer(h, "王女士")
    first, second = open_task(h, customer), open_task(h, customer)
    assert say(h, "guide_li", f"完成 {first}") == f"已标记任务 {first} 完成。还有 1 条待跟进，发送「任务」查看。"
    assert say(h, "guide_li", f"完成{second}") == f"已标记任务 {second} 完成。待跟进任务已全部完成！"
    assert [(t.status, t.done_at) for t in stored_tasks(h)] == [("done", clock.now()), ("done", clock.now())]
    assert say(h, "guide_li", "任务") == "您目前没有待跟进的任务。"
    assert say(h, "guide_li", f"完成 {first}") == f"任务 {first} 已标记完成，无需再标记。"


def test_a_guide_cannot_close_another_guides_task(frozen_harness: Harness) -> None:
    h = frozen_harness
    task = open_task(h, wecom_customer(h, "王女士"), guide="guide_li")
    assert say(h, "guide_wang", f"完成 {task}").startswith(f"任务 {task} 不是您的任务，无法标记。")
    assert [t.status for t in stored_tasks(h)] == ["open"]


@pytest.mark.parametrize(("text", "reply"), [
    ("完成", "请带上任务编号"),
    ("完成 abc", "请带上任务编号"),
    ("完成 1 2", "请带上任务编号"),
    ("完成 99999", "没有编号为 99999 的任务"),
    ("完成 123456789012345678901234567890", "没有编号为 123456789012345678901234567890 的任务"),
    ("完成 ²", "请带上任务编号"),
])
def test_bad_task_numbers_get_a_clear_answer(frozen_harness: Harness, text: str, reply: str) -> None:
    assert reply in say(frozen_harness, "guide_li", text)


def test_task_numbers_may_be_written_in_full_width(frozen_harness: Harness) -> None:
    h = frozen_harness
    task = open_task(h, wecom_customer(h, "王女士"))
    wide = str(task).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert say(h, "guide_li", f"完成　＃{wide}").startswith(f"已标记任务 {task} 完成。")
