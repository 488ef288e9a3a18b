"""Tracked links count the customer's clicks, not link previews, crawlers, HEADs or quick repeats."""

from __future__ import annotations

from collections.abc import Callable

import requests
from sqlalchemy import func, select

from bot.models import Event, LinkClick
from tests.playbooks.support import PlaybookHarness, simple_playbook

OFFER = """
[[steps]]
id = "offer"
after = "1h"
channels = ["kf"]
link = "https://example.com/offer"
text = "点这里：{{ link }}"
"""
WECHAT_BROWSER = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                  "Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN")


def sent_link(journey: Callable[..., PlaybookHarness], **sections: dict[str, object]) -> tuple[PlaybookHarness, str]:
    h = journey({"offer.toml": simple_playbook(steps=OFFER)}, **sections)
    customer = h.kf_customer("王女士")
    h.event(customer, "treatment_completed")
    h.advance(hours=1)
    h.dispatch()
    [text] = h.delivered(customer)
    return h, f"{h.bot_url}/r/{text.rsplit('/', 1)[1]}"


def hit(url: str, method: str = "GET", agent: str = WECHAT_BROWSER) -> int:
    return requests.request(method, url, headers={"User-Agent": agent}, allow_redirects=False, timeout=10).status_code


def counted(h: PlaybookHarness) -> tuple[int, int, int]:
    """(hits recorded, hits counted, link_clicked events)."""
    with h.db.session() as session:
        return (session.scalar(select(func.count()).select_from(LinkClick)) or 0,
                session.scalar(select(func.count()).select_from(LinkClick).where(LinkClick.counted.is_(True))) or 0,
                session.scalar(select(func.count()).select_from(Event).where(Event.type == "link_clicked")) or 0)


def test_previews_crawlers_and_head_requests_redirect_but_do_not_count(journey) -> None:  # type: ignore[no-untyped-def]
    h, url = sent_link(journey)
    assert hit(url, "HEAD") == 302
    assert hit(url, agent="facebookexternalhit/1.1") == 302
    assert hit(url, agent="Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)") == 302
    assert hit(url, agent="TelegramBot (like TwitterBot)") == 302
    assert counted(h) == (4, 0, 0)
    assert hit(url) == 302                                             # the customer opens it in WeChat
    assert counted(h) == (5, 1, 1)


def test_a_repeat_within_seconds_is_one_click_and_a_later_one_counts_again(journey) -> None:  # type: ignore[no-untyped-def]
    h, url = sent_link(journey)
    assert hit(url) == hit(url) == hit(url) == 302                     # a reload and a prefetch
    assert counted(h) == (3, 1, 1)
    h.advance(seconds=11)
    assert hit(url) == 302
    assert counted(h) == (4, 2, 2)


def test_the_crawler_list_is_configurable(journey) -> None:  # type: ignore[no-untyped-def]
    h, url = sent_link(journey, links={"ignore_user_agents": ["^InternalScanner"], "repeat_seconds": 0})
    assert hit(url, agent="InternalScanner/2") == 302
    assert hit(url, agent="facebookexternalhit/1.1") == 302            # no longer on the list
    assert hit(url) == 302
    assert counted(h) == (3, 2, 2)


def test_an_unknown_or_oversized_token_is_404(journey) -> None:  # type: ignore[no-untyped-def]
    h, url = sent_link(journey)
    assert hit(f"{h.bot_url}/r/{'x' * 300}") == 404
    assert hit(f"{h.bot_url}/r/%00abc") == 404
    assert counted(h) == (0, 0, 0)
