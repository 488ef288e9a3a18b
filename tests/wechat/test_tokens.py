"""Access tokens: fetched once, shared by every process through the database, refreshed when
WeChat says they expired (42001/40014/40001), and recorded sends carry their errcode."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import Message
from bot.assembly import build_runtime
from handlers import routers
from tests.support.harness import Harness


def test_expired_token_is_refreshed_and_the_call_retried_once(harness: Harness) -> None:
    h = harness
    first = h.runtime.outbound.send_app_text("guide_li", "第一条")
    assert first.ok
    h.sim.advance_clock(7300)  # past the 7200 s lifetime: the simulator now answers 42001
    second = h.runtime.outbound.send_app_text("guide_li", "第二条")
    assert second.ok, second
    assert h.sim.delivered(api="message/send", to="guide_li") == ["第一条", "第二条"]


def test_token_rejected_again_after_refresh_is_reported_not_looped(harness: Harness) -> None:
    h = harness
    h.sim.fault("message/send", errcode=40014, times=5)
    result = h.runtime.outbound.send_app_text("guide_li", "你好")
    assert not result.ok and result.errcode == 40014
    with h.db.session() as session:
        recorded = session.scalars(select(Message).where(Message.direction == "out")).one()
        assert (recorded.status, recorded.errcode, recorded.channel) == ("failed", 40014, "wecom_app")


def test_processes_share_one_stored_token(harness: Harness) -> None:
    """A second runtime (another process in production) reuses the stored token: an Official
    Account token would otherwise be invalidated by the other process's refresh."""
    h = harness
    assert h.runtime.outbound.mp_custom_text("oSHARE", "hi").errcode in (0, 45015, 43004, 40003)
    other = build_runtime(h.config, routers())
    try:
        assert other.outbound.mp is not None
        assert other.outbound.mp.access_token == h.runtime.outbound.mp.access_token  # type: ignore[union-attr]
        # Still valid for the first process after the second one used it.
        result = h.runtime.outbound.mp_template("oSHARE", "TPL", {"first": {"value": "x"}})
        assert result.errcode not in (40001, 40014, 42001)
    finally:
        other.close()


@pytest.mark.parametrize("errcode", [45009])
def test_frequency_limit_is_recorded_as_transient(harness: Harness, errcode: int) -> None:
    harness.sim.fault("message/send", errcode=errcode, times=1)
    result = harness.runtime.outbound.send_app_text("guide_li", "限流")
    assert not result.ok and result.errcode == errcode and result.transient


def test_secrets_never_reach_the_logs(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    harness.sim.advance_clock(7300)
    harness.runtime.outbound.send_app_text("guide_li", "x")
    secret = harness.config.wecom.secret.get_secret_value()
    token = harness.runtime.outbound.wecom.access_token  # type: ignore[union-attr]
    bot_records = [r for r in caplog.records if r.name.startswith(("bot", "handlers", "wechatpy"))]
    for record in bot_records:
        text = record.getMessage()
        assert secret not in text and token not in text
        assert harness.config.wecom.encoding_aes_key.get_secret_value() not in text
    assert repr(harness.config).count(secret) == 0
