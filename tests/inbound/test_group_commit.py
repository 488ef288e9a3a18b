"""Group commit on PostgreSQL: concurrent pushes share one transaction, each is stored once, and
no request returns (acks) before the commit that holds its push."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from bot.inbound.group_commit import GroupCommit
from bot.models import Callback
from tests.conftest import truncate_all
from tests.support.harness import Harness


def text_push(msgid: int, sender: str) -> str:
    return (f"<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[{sender}]]></FromUserName>"
            f"<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[第{msgid}条]]></Content><MsgId>{msgid}</MsgId></xml>")


@pytest.mark.postgres
def test_concurrent_pushes_are_stored_once_in_one_commit_and_acked_after_it(postgres_server_url: str) -> None:
    truncate_all(postgres_server_url)
    h = Harness(postgres_server_url)
    try:
        inbox = h.runtime.inbox
        assert inbox.spool is None  # PostgreSQL: straight into `callbacks`
        stored_before = inbox.accept("mp", text_push(1, "oGROUP0"))  # already stored: a retry finds it
        # Twelve requests: ten new pushes, a retry of the stored one, and a retry racing its original.
        pushes = [text_push(n, f"oGROUP{n}") for n in range(2, 12)] + [text_push(1, "oGROUP0"),
                                                                        text_push(2, "oGROUP2")]
        answers: dict[int, tuple[int, bool]] = {}
        visible_at_ack: dict[int, bool] = {}

        def request(i: int, xml: str) -> None:
            answers[i] = inbox.accept("mp", xml)
            with h.db.engine.connect() as other:  # what another connection sees when this request acks
                visible_at_ack[i] = other.scalar(select(Callback.id).where(Callback.id == answers[i][0])) is not None

        commits_before = inbox._group.commits
        with inbox._group.writing():  # a commit is under way: these twelve queue behind it
            threads = [threading.Thread(target=request, args=(i, xml)) for i, xml in enumerate(pushes)]
            for thread in threads:
                thread.start()
            while inbox._group.queued < len(pushes):
                time.sleep(0.01)
            assert answers == {}  # nobody acked: nothing of theirs is committed yet
        for thread in threads:
            thread.join()

        assert inbox._group.commits == commits_before + 1  # twelve requests, one transaction
        assert all(visible_at_ack.values()) and len(visible_at_ack) == len(pushes)
        assert answers[10] == (stored_before[0], False)  # the retry of the stored push
        first_of_2, retry_of_2 = answers[0], answers[11]
        assert first_of_2[0] == retry_of_2[0] and sorted([first_of_2[1], retry_of_2[1]]) == [False, True]
        assert all(answers[i][1] for i in range(1, 10))
        with h.db.read_session() as session:
            keys = session.scalars(select(Callback.dedupe_key)).all()
        assert sorted(keys) == sorted(f"mp:msg:{n}" for n in range(1, 12))  # each stored exactly once
    finally:
        h.close()


def test_a_failed_commit_reaches_every_request_of_its_group_and_the_next_group_commits() -> None:
    written: list[list[int]] = []

    def write(items: list[int]) -> list[int]:
        if 0 in items:
            raise OSError("disk full")
        written.append(list(items))
        return [item * 10 for item in items]

    group: GroupCommit[int, int] = GroupCommit(write, writers=2)
    outcomes: dict[int, object] = {}

    def request(item: int) -> None:
        try:
            outcomes[item] = group.submit(item)
        except OSError as exc:
            outcomes[item] = exc

    with group.writing():
        threads = [threading.Thread(target=request, args=(item,)) for item in (0, 1, 2)]
        for thread in threads:
            thread.start()
        while group.queued < 3:
            time.sleep(0.01)
    for thread in threads:
        thread.join()
    assert all(isinstance(outcomes[item], OSError) for item in (0, 1, 2)) and written == []  # none acked
    assert group.submit(3) == 30 and written == [[3]]
