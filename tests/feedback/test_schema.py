"""Feedback buttons in the playbook file: the forms accepted, and errors that name file, line and key."""

from __future__ import annotations

from pathlib import Path

from bot.cli.main import main
from bot.playbooks.loader import parse_playbook
from tests.playbooks.support import simple_playbook


def with_step(body: str, trigger: str = 'event = "treatment_completed"') -> str:
    step = f'\n[[steps]]\nid = "offer"\nafter = "1h"\n{body}\ntext = "要了解吗？"\n'
    return simple_playbook(trigger=trigger, steps=step)


def check(tmp_path: Path, capsys, text: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    code = main(["--config", str(tmp_path / "config.toml"), "playbook", "check", str(path)])
    return code, capsys.readouterr().err


def line_of(text: str, start: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if line.startswith(start))


def test_true_gives_both_default_buttons_and_a_table_names_them() -> None:
    both = parse_playbook(with_step('channels = ["kf"]\nfeedback = true')).steps[0]
    assert both.feedback is not None and both.feedback.options() == [("interested", "想了解更多"),
                                                                     ("not_interested", "不感兴趣")]
    own = parse_playbook(with_step('channels = ["mp_custom"]\nfeedback = { not_interested = "别再推了" }')).steps[0]
    assert own.feedback is not None and own.feedback.options() == [("not_interested", "别再推了")]
    assert parse_playbook(with_step('channels = ["kf"]\nfeedback = false')).steps[0].feedback is None


def test_an_unknown_option_is_an_error_at_its_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    text = with_step('channels = ["kf"]\nfeedback = { intrested = "想了解" }')
    code, err = check(tmp_path, capsys, text)
    assert code == 1
    assert f"p.toml:{line_of(text, 'feedback')}: steps[0].feedback.intrested:" in err


def test_a_label_too_long_for_a_kf_menu_item_is_an_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    text = with_step(f'channels = ["kf"]\nfeedback = {{ interested = "{"想" * 50}" }}')
    code, err = check(tmp_path, capsys, text)
    assert code == 1 and "steps[0].feedback.interested: " in err and "1 to 128 bytes" in err


def test_buttons_need_a_channel_that_carries_them(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    text = with_step('channels = ["guide_task"]\nfeedback = true')
    code, err = check(tmp_path, capsys, text)
    assert code == 1 and "feedback buttons need one of the channels kf, mp_custom, wecom_mass" in err


def test_a_kf_menu_text_is_at_most_1024_bytes(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    long = "很" * 400                                                     # 1200 bytes: fine as text, not as a menu
    assert check(tmp_path, capsys, simple_playbook(steps=f'\n[[steps]]\nid = "a"\nafter = "1h"\nchannels = ["kf"]\n'
                                                         f'text = "{long}"\n'))[0] == 0
    code, err = check(tmp_path, capsys, simple_playbook(
        steps=f'\n[[steps]]\nid = "a"\nafter = "1h"\nchannels = ["kf"]\nfeedback = true\ntext = "{long}"\n'))
    assert code == 1 and "renders to 1200 bytes for a sample customer; kf takes at most 1024" in err


def test_the_feedback_trigger(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    trigger = parse_playbook(with_step('channels = ["kf"]', 'feedback = "interested"\nplaybook = "intro"')).trigger
    assert (trigger.kind, trigger.feedback, trigger.playbook) == ("feedback", "interested", "intro")
    text = with_step('channels = ["kf"]', 'feedback = "maybe"')
    code, err = check(tmp_path, capsys, text)
    assert code == 1 and f"p.toml:{line_of(text, 'feedback')}: trigger.feedback: " in err
    code, err = check(tmp_path, capsys, with_step('channels = ["kf"]', 'event = "x"\nplaybook = "intro"'))
    assert code == 1 and '"playbook" only applies to a feedback trigger' in err
