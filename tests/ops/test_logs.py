"""Structured logs: one callback's lines carry its ids, and no secret reaches any log at any level."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import select

from bot.models import Callback, SharedValue
from bot.ops.logs import MASK, configure_logging, redact
from tests.support.harness import Harness

METRICS_TOKEN = "metrics-secret-for-the-log-test"


class Captured:
    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]


@pytest.fixture
def captured() -> Iterator[Captured]:
    root = logging.getLogger()
    level = root.level
    capture = Captured()
    handler = configure_logging(level="DEBUG", json_format=True, stream=capture.stream)
    yield capture
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def h(database_url: str) -> Iterator[Harness]:
    harness = Harness(database_url, metrics={"token": METRICS_TOKEN})
    harness.seed_staff()
    yield harness
    harness.close()


def test_every_line_of_one_callbacks_processing_carries_its_ids(h: Harness, captured: Captured) -> None:
    added = h.sim.add_customer("小美", userid="guide_li")   # one push: add_external_contact, then a welcome task
    h.settle()
    with h.db.session() as session:
        callback_id = session.scalar(select(Callback.id).where(Callback.kind.like("%add_external_contact")))
    ours = [line for line in captured.lines()
            if line["logger"].startswith(("bot.", "handlers.", "wechatpy."))
            and not line["logger"].startswith("bot.simulator")]
    assert ours, captured.text
    for line in ours:
        assert line.get("callback_id") == callback_id, line
        assert line.get("request_id"), line
    request_ids = {line["request_id"] for line in ours}
    assert len(request_ids) == 1                       # the push's request, carried into its welcome task
    loggers = {line["logger"] for line in ours if line.get("task_id")}
    assert {"bot.jobs.tasks", "wechatpy.client.base"} <= loggers   # the task thread's lines: both ids and its own
    assert {"bot.web.webhook", "bot.inbound.inbox"} <= {line["logger"] for line in ours}
    assert added["external_userid"]


def test_no_secret_appears_in_any_log_at_debug(h: Harness, captured: Captured) -> None:
    added = h.sim.add_customer("王先生", userid="guide_wang")
    h.sim.kf_message(added["external_userid"], "你好，在吗")
    h.sim.mp_subscribe("oSIMlogs0001")
    h.sim.mp_text("oSIMlogs0001", "价格多少")
    h.settle()
    h.sim.fault("message/send", errcode=40014)         # a rejected token: refresh and retry, all logged
    h.sim.delete_guide(added["external_userid"], userid="guide_wang")
    h.settle()
    assert h.api("GET", "/api/customers").status_code == 200
    metrics = requests.get(f"{h.bot_url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10)
    assert metrics.status_code == 200
    logging.getLogger("tests").debug("GET %s/cgi-bin/gettoken?corpid=x&corpsecret=%s", h.bot_url,
                                     h.config.wecom.secret.get_secret_value())

    config = h.config
    secrets = [config.wecom.secret, config.wecom.token, config.wecom.encoding_aes_key, config.mp.secret,
               config.mp.token, config.mp.encoding_aes_key, config.metrics.token, *config.api.tokens]
    with h.db.session() as session:  # the access tokens the simulator handed out
        access_tokens = [row.value for row in session.scalars(select(SharedValue))
                         if "access_token" in row.key and not row.value.isdigit()]
    assert access_tokens
    text = captured.text
    assert len(text.splitlines()) > 50 and f"access_token={MASK}" in text   # URLs with tokens were logged, masked
    for secret in [s.get_secret_value() for s in secrets] + access_tokens:
        assert secret not in text, f"a secret leaked into the logs: {secret[:3]}..."


def test_redaction_masks_fields_urls_and_bearer_tokens() -> None:
    assert redact("POST /cgi-bin/kf/send_msg?access_token=abc123XYZ&debug=1") == \
        f"POST /cgi-bin/kf/send_msg?access_token={MASK}&debug=1"
    assert redact('{"access_token": "abc123XYZ", "expires_in": 7200}') == \
        f'{{"access_token": "{MASK}", "expires_in": 7200}}'
    assert redact("Authorization: Bearer s3cr3t-t0ken") == f"Authorization: Bearer {MASK}"
    assert redact("postgresql://siyu:pa55word@db/siyu") == f"postgresql://siyu:{MASK}@db/siyu"
    assert redact("nothing to hide here") == "nothing to hide here"


def test_text_lines_carry_the_ids_too() -> None:
    stream, level = io.StringIO(), logging.getLogger().level
    handler = configure_logging(level="INFO", json_format=False, stream=stream)
    try:
        from bot.ops.logs import bound

        with bound(request_id="req-12345678", callback_id=42):
            logging.getLogger("bot.test").info("GET /cgi-bin/x?access_token=%s", "abcdef123456")
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)
    line = stream.getvalue()
    assert "[request_id=req-12345678 callback_id=42]" in line and f"access_token={MASK}" in line
    assert "abcdef123456" not in line


def test_a_callback_processed_in_another_thread_logs_the_request_that_stored_it() -> None:
    import threading

    from bot.ops.logs import bound, current_ids, remember_request

    with bound(request_id="req-stored-it"):
        remember_request(9001)
    seen: dict[str, Any] = {}

    def process() -> None:                            # a batch processor's thread, after the ack
        with bound(callback_id=9001):
            seen.update(current_ids())

    thread = threading.Thread(target=process)
    thread.start()
    thread.join()
    assert seen == {"request_id": "req-stored-it", "callback_id": 9001}
