"""`siyu playbook preview`: the real trigger event, audience and exit, goal window, the channel
that really reaches the customer, one-line errors, nothing written; `list` (issue 13)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli.main import main
from bot.models import Delivery, Enrolment, Event, PlaybookVersion, TrackedLink
from bot.playbooks.preview import preview_lines
from tests.playbooks.support import START, simple_playbook

CLASS = simple_playbook("gym", trigger='event = "trial_class_booked"', extra="""
[audience]
when = "'会员' not in customer.tags"

[exit]
when = "'已退款' in customer.tags"
goal = { events = ["membership_purchased"], within = "3d", from = "class_at" }
""", steps="""
[[steps]]
id = "remind"
before = "2h"
of = "class_at"
channels = ["kf", "mp_custom", "guide_task"]
text = "{{ customer.name }}，体验课{{ event.data.class_at | datetime_cn }}开始"
""")


def counts(h) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    with h.db.session() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Enrolment, Delivery, Event, TrackedLink, PlaybookVersion))


def test_preview_for_a_real_customer_uses_their_event_and_the_channel_that_reaches_them(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"gym.toml": CLASS})
    wrote, silent = h.kf_customer("王女士"), h.kf_customer("李先生", write=None)
    class_at = START + timedelta(days=1, hours=9)                    # tomorrow 19:00
    h.event(wrote, "trial_class_booked", {"class_at": class_at.isoformat()})
    before = counts(h)
    lines = "\n".join(preview_lines(h.config, h.db, h.clock, "gym", customer_id=wrote))
    assert "(the customer's latest such event)" in lines
    assert "王女士，体验课11月3日 19:00开始" in lines                     # the real event's data
    assert "audience: customer" in lines and "passes" in lines
    assert "goal: membership_purchased until 2026-11-06 19:00" in lines and "from class_at" in lines
    assert "1. remind: 2026-11-03 17:00 周二 via kf (within 48 h" in lines
    silent_lines = "\n".join(preview_lines(h.config, h.db, h.clock, "gym", customer_id=silent,
                                           event={"data": {"class_at": class_at.isoformat()}}))
    assert "via kf" not in silent_lines                                  # never wrote: kf cannot reach them
    assert "kf: the customer never wrote through 微信客服" in silent_lines and "via guide_task" in silent_lines
    assert counts(h) == before                                         # preview writes nothing


def test_preview_says_when_the_customer_would_not_enter_or_would_exit(journey) -> None:  # type: ignore[no-untyped-def]
    h = journey({"gym.toml": CLASS})
    member = h.kf_customer("会员甲")
    for tag in ("会员", "已退款"):
        assert h.api("POST", f"/api/customers/{member}/tags", json={"name": tag}).status_code in (200, 201)
    lines = "\n".join(preview_lines(h.config, h.db, h.clock, "gym", customer_id=member,
                                    event={"data": {"class_at": (START + timedelta(days=2)).isoformat()}}))
    assert "FAILS `'会员' not in customer.tags`: would not enter" in lines
    assert "exit: `'已退款' in customer.tags` already holds" in lines


@pytest.fixture
def config_file(tmp_path: Path, sqlite_url: str) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{sqlite_url}"\n[bot]\nplaybooks_dir = "{tmp_path}/none"\n', encoding="utf-8")
    return config


@pytest.mark.parametrize(("args", "message"), [
    (["--event", "{not json"], "siyu: --event is not JSON"),
    (["--event", "[1]"], "siyu: --event must be a JSON object"),
    (["--at", "tomorrow"], "siyu: --at 'tomorrow' is not an ISO 8601 time"),
    (["--customer", "abc"], "siyu: --customer 'abc' is not a customer id"),
    (["--customer", "999999"], "siyu: no customer with id 999999"),
    (["--event", '{"at": "soon"}'], "siyu: event at 'soon' is not an ISO 8601 time"),
])
def test_bad_arguments_give_one_line_errors(config_file: Path, tmp_path: Path, capsys, args, message) -> None:  # type: ignore[no-untyped-def]
    playbook = tmp_path / "anywhere" / "gym.toml"
    playbook.parent.mkdir()
    playbook.write_text(CLASS, encoding="utf-8")
    assert main(["--config", str(config_file), "init"]) == 0
    capsys.readouterr()
    assert main(["--config", str(config_file), "playbook", "preview", str(playbook), *args]) == 1
    err = capsys.readouterr().err
    assert err.startswith(message) and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err


def test_preview_a_file_anywhere(config_file: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    playbook = tmp_path / "drafts" / "gym.toml"
    playbook.parent.mkdir()
    playbook.write_text(CLASS, encoding="utf-8")
    assert main(["--config", str(config_file), "init"]) == 0
    event = '{"data": {"class_at": "2026-11-03T19:00:00+08:00"}, "at": "2026-11-02T10:00:00+08:00"}'
    assert main(["--config", str(config_file), "playbook", "preview", str(playbook), "--event", event]) == 0
    out = capsys.readouterr().out
    assert f"from file {playbook}" in out and "1. remind: 2026-11-03 17:00 周二" in out


def test_list_counts_journeys_and_shows_broken_files_until_fixed(tmp_path: Path, sqlite_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    directory = tmp_path / "pb"
    directory.mkdir()
    (directory / "care.toml").write_text(simple_playbook(), encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{sqlite_url}"\n[bot]\nplaybooks_dir = "{directory}"\n', encoding="utf-8")
    assert main(["--config", str(config), "init"]) == 0
    assert main(["--config", str(config), "playbook", "import"]) == 0
    (directory / "never.toml").write_text("id = 'never'\n", encoding="utf-8")                # never imported
    good = (directory / "care.toml").read_text(encoding="utf-8")
    (directory / "care.toml").write_text(good.replace('after = "1h"', 'after = "soon"'), encoding="utf-8")
    main(["--config", str(config), "playbook", "import"])
    capsys.readouterr()
    assert main(["--config", str(config), "playbook", "list"]) == 0
    out = capsys.readouterr().out
    assert "entered" in out and "conv" in out and "exited" in out and "skip" in out
    assert "[file has errors" in out and f"broken file {directory / 'never.toml'}" in out
    (directory / "care.toml").write_text(good, encoding="utf-8")                          # fixed, not re-imported
    assert main(["--config", str(config), "playbook", "list"]) == 0
    out = capsys.readouterr().out
    assert "[file has errors" not in out and "care.toml" not in out


def test_list_follows_a_playbook_imported_from_a_folder_outside_playbooks(tmp_path: Path, sqlite_url: str,
                                                                          capsys) -> None:  # type: ignore[no-untyped-def]
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    good = simple_playbook("draft")
    (drafts / "draft.toml").write_text(good, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{sqlite_url}"\n[bot]\nplaybooks_dir = "{tmp_path}/pb"\n', encoding="utf-8")
    assert main(["--config", str(config), "init"]) == 0
    assert main(["--config", str(config), "playbook", "import", str(drafts)]) == 0
    (drafts / "draft.toml").write_text(good.replace('after = "1h"', 'after = "soon"'), encoding="utf-8")
    capsys.readouterr()
    assert main(["--config", str(config), "playbook", "list"]) == 0
    out = capsys.readouterr().out
    assert "[file has errors" in out and f"broken file {drafts / 'draft.toml'}: 1 error(s)" in out
    (drafts / "draft.toml").write_text(good, encoding="utf-8")                             # fixed
    assert main(["--config", str(config), "playbook", "list"]) == 0
    assert "[file has errors" not in capsys.readouterr().out


FOLLOW_UP = simple_playbook("follow", trigger="subscribed = true", steps="""
[[steps]]
id = "thanks"
after = "0min"
channels = ["mp_custom", "guide_task"]
text = "感谢关注"

[[steps]]
id = "later"
after = "1h"
channels = ["mp_custom", "guide_task"]
text = "一小时后"
""")


def test_preview_knows_the_official_account_window_a_subscribe_opens(journey) -> None:  # type: ignore[no-untyped-def]
    """A subscribe (a menu click, a QR scan) opens 1 minute and 3 messages; a message of theirs, 48 h."""
    h = journey({"follow.toml": FOLLOW_UP})
    follower = h.mp_follower("o_new")
    lines = "\n".join(preview_lines(h.config, h.db, h.clock, "follow", customer_id=follower))
    thanks, later = (line for line in lines.splitlines() if line.startswith(("1. thanks", "2. later")))
    assert "via mp_custom (within 1 minute of their subscribe, menu click or QR scan" in thanks
    assert "via mp_custom" not in later
    assert "the customer never wrote through 公众号; their subscribe, menu click or QR scan at" in later
    assert "opened it for 1 minute only" in later
    h.sim.mp_text("o_new", "你们几点开门")                                 # their own message: 48 h
    h.settle()
    later = next(line for line in preview_lines(h.config, h.db, h.clock, "follow", customer_id=follower)
                 if line.startswith("2. later"))
    assert "via mp_custom (within 48 h of their last 公众号 message" in later
