"""`siyu playbook check` catches what would validate and then fail quietly (issue 13)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.playbooks.loader import parse_playbook
from bot.playbooks.timing import parse_duration
from tests.playbooks.support import simple_playbook

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def check(tmp_path: Path, capsys, *texts: str, config: str = "") -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    paths = []
    for number, text in enumerate(texts):
        path = tmp_path / f"p{number}.toml"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    config_file = tmp_path / "config.toml"
    config_file.write_text(config, encoding="utf-8")
    code = main(["--config", str(config_file), "playbook", "check", *paths])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def step(text: str, extra: str = "") -> str:
    return simple_playbook(
        steps=f'\n[[steps]]\nid = "hello"\nafter = "1h"\nchannels = ["kf"]\n{extra}\ntext = "{text}"\n')


def test_every_name_is_known_with_did_you_mean(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    text = step("{{ customer.nmae }} {{ event.dat.x }} {{ customer.guide.nam }} "
                "{{ customer.attributes.membership_expire }}")
    code, out, err = check(tmp_path, capsys, text, config='[bot]\ncustomer_attributes = ["membership_expires"]\n')
    assert code == 1
    line = text.splitlines().index(next(line for line in text.splitlines() if line.startswith("text ="))) + 1
    where = f"{tmp_path / 'p0.toml'}:{line}: steps[0].text: "
    assert f"{where}customer.nmae is not a customer field (did you mean name?)" in err
    assert f"{where}event.dat is not an event field (did you mean data?)" in err
    assert f"{where}customer.guide.nam is not a guide field (did you mean name?)" in err
    assert "customer.attributes.membership_expire is not a declared attribute (did you mean membership_expires?)" in err
    assert "4 error(s)" in out                                          # the summary counts errors, not files


def test_unknown_filters_and_names_suggest_the_close_one(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = check(tmp_path, capsys, step("{{ event.data.at | datetme_cn }}"), step("{{ custmer.name }}"))
    assert code == 1
    assert "no filter named 'datetme_cn' (did you mean datetime_cn?)" in err
    assert "unknown name custmer (did you mean customer?)" in err


def test_metrics_are_names_in_conditions(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    good = simple_playbook(extra='[exit]\nwhen = "customer.last_active_days < 21 or customer.purchases_90d > 0"\n')
    bad = simple_playbook("other", extra='[exit]\nwhen = "customer.last_active_dayz < 21"\n')
    code, _, err = check(tmp_path, capsys, good, bad)
    assert code == 1
    assert "p0.toml" not in err
    assert "exit.when: customer.last_active_dayz is not a customer field (did you mean last_active_days?)" in err


def test_link_without_link(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = check(tmp_path, capsys, step("点这里 {{ link }}"))
    assert code == 1 and "steps[0].text: {{ link }} needs link =" in err
    code, _, err = check(tmp_path, capsys, step("点这里 {{ link }}", 'link = "https://example.com/a"'))
    assert code == 0, err


def test_variant_shares_that_do_not_add_up_are_shown_as_the_real_split(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    variants = '\n[[steps]]\nid = "a"\nafter = "1h"\nchannels = ["kf"]\nholdout = 10\n' \
               '[[steps.variants]]\nweight = 1\ntext = "甲"\n[[steps.variants]]\nweight = 1\ntext = "乙"\n'
    code, out, err = check(tmp_path, capsys, simple_playbook(steps=variants))
    assert code == 0
    assert "steps[0].variants: warning: variant weights add up to 2, not 100 or 90" in err
    assert "A 45.0%, B 45.0%, holdout 10.0%" in err and "1 warning(s)" in out
    code, _, err = check(tmp_path, capsys, simple_playbook(steps=variants.replace("weight = 1", "weight = 45")))
    assert code == 0 and "warning" not in err                         # 45 + 45 + 10 = 100


def test_holdout_is_a_percentage_of_entrants_whatever_the_weights() -> None:
    for weights in ((1, 1), (50, 50), (45, 45)):
        steps = '\n[[steps]]\nid = "a"\nafter = "1h"\nchannels = ["kf"]\nholdout = 10\n' + "".join(
            f'[[steps.variants]]\nweight = {weight}\ntext = "x"\n' for weight in weights)
        chosen = parse_playbook(simple_playbook(steps=steps)).steps[0]
        picks = [chosen.choose_variant(f"{i}:care") for i in range(4000)]
        held = sum(pick is None for pick in picks) / len(picks)
        assert 0.08 < held < 0.12, (weights, held)
        a_share = sum(pick is not None and pick.name == "A" for pick in picks) / len(picks)
        assert 0.40 < a_share < 0.50, (weights, a_share)
        assert chosen.split() == [("A", 45.0), ("B", 45.0), ("holdout", 10.0)]


def test_goal_on_an_event_nothing_sends_and_overlapping_playbooks(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    first = simple_playbook("first", extra='[exit]\ngoal = { event = "membership_purchasd" }\n')
    second = simple_playbook("second")                                 # the same trigger, nobody kept apart
    code, _, err = check(tmp_path, capsys, first, second,
                         config='[bot]\nbusiness_events = ["membership_purchased", "treatment_completed"]\n')
    assert code == 0                                                    # warnings only
    assert "exit.goal: warning: goal event 'membership_purchasd' is not one Siyu records" in err
    assert "(did you mean membership_purchased?)" in err
    assert "p1.toml" in err and "trigger: warning: the same trigger as first" in err
    kept_apart = simple_playbook("second", extra="[audience]\nwhen = \"'VIP' in customer.tags\"\n")
    first_ok = simple_playbook("first", extra="[audience]\nwhen = \"'VIP' not in customer.tags\"\n")
    code, _, err = check(tmp_path, capsys, first_ok, kept_apart)
    assert "same trigger" not in err


@pytest.mark.parametrize(("text", "expected"), [
    ("30min", timedelta(minutes=30)), ("2h", timedelta(hours=2)), ("3d", timedelta(days=3)),
    ("2w", timedelta(weeks=2)), ("1d12h", timedelta(days=1, hours=12)), ("10分钟", timedelta(minutes=10)),
    ("2小时", timedelta(hours=2)), ("3天", timedelta(days=3)), ("1周", timedelta(weeks=1)),
    ("5m", timedelta(minutes=5)),
])
def test_duration_units(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


def test_durations_name_their_units_and_months_are_refused(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = check(tmp_path, capsys, simple_playbook().replace('after = "1h"', 'after = "1月"'),
                         simple_playbook("b").replace('after = "1h"', 'after = "soon"'),
                         simple_playbook("c").replace('after = "1h"', 'after = "1m"'))
    assert code == 1
    assert "steps[0].after: months and years are not duration units" in err
    assert "units: min (minutes), h, d, w, or 分钟, 小时, 天, 周" in err
    assert 'p2.toml:' in err and 'warning: "1m" is read as minutes; write "1min"' in err


def test_check_and_import_take_files_and_folders_anywhere(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "elsewhere" / "deep"
    folder.mkdir(parents=True)
    (folder / "a.toml").write_text(simple_playbook("a"), encoding="utf-8")
    (tmp_path / "b.toml").write_text(simple_playbook("b", trigger='event = "order_paid"'), encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/db.sqlite"\n', encoding="utf-8")
    assert main(["--config", str(config), "playbook", "check", str(folder), str(tmp_path / "b.toml")]) == 0
    assert "2 file(s) checked: 0 error(s)" in capsys.readouterr().out
    assert main(["--config", str(config), "init"]) == 0
    assert main(["--config", str(config), "playbook", "import", str(folder), str(tmp_path / "b.toml")]) == 0
    assert "new: a, b" in capsys.readouterr().out.replace("new: a\nnew: b", "new: a, b")


def test_the_operator_examples_check_clean(capsys) -> None:  # type: ignore[no-untyped-def]
    files = sorted(EXAMPLES.glob("*.toml"))
    assert len(files) >= 3
    config = EXAMPLES / "config" / "siyu.toml"
    assert main(["--config", str(config), "playbook", "check", *map(str, files)]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out


def test_the_worked_example_of_each_trigger_in_the_docs_checks_clean() -> None:
    import re

    from bot.playbooks.channels import template_step_warnings
    from bot.playbooks.loader import check_text
    from bot.playbooks.schema import TRIGGER_KINDS

    docs = (EXAMPLES.parent / "playbooks.md").read_text(encoding="utf-8")
    blocks = [block for block in re.findall(r"```toml\n(.*?)```", docs, re.S) if block.startswith("[trigger]")]
    kinds = set()
    for block in blocks:
        playbook, problems = check_text(f'id = "doc"\nname = "doc"\n{block}', "docs/playbooks.md")
        assert playbook is not None and not problems, (block, problems)
        assert not [line for step in playbook.steps for line in template_step_warnings(step.template_data)]
        kinds.add(playbook.trigger.kind)
    assert kinds == set(TRIGGER_KINDS)


def test_ids_in_plain_words_and_import_prints_each_error_once(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = simple_playbook().replace('id = "care"', 'id = "Care Plan"')
    code, _, err = check(tmp_path, capsys, bad)
    assert code == 1 and "id: 'Care Plan' is not a valid name: use lower-case letters, digits, - and _" in err
    folder = tmp_path / "pb"
    folder.mkdir()
    (folder / "bad.toml").write_text(bad, encoding="utf-8")
    config = tmp_path / "import.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/db.sqlite"\n', encoding="utf-8")
    assert main(["--config", str(config), "init"]) == 0
    capsys.readouterr()
    assert main(["--config", str(config), "playbook", "import", str(folder)]) == 1
    captured = capsys.readouterr()
    assert (captured.err + captured.out).count("is not a valid name") == 1


RENEWAL = simple_playbook("renewal", trigger='schedule = { cron = "0 10 * * *", audience = '
                          '"customer.attributes.membership_expires and customer.attributes.lessons_left < 3" }',
                          steps="""
[[steps]]
id = "remind"
before = "3d"
of = "membership_expires"
at = "10:00"
channels = ["kf", "guide_task"]
text = "会籍{{ customer.attributes.membership_expires }}到期，还剩{{ customer.attributes.lessons_left }}节"
""")


def test_a_warning_names_each_attribute_a_playbook_relies_on_that_nothing_sets(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """What can set an attribute: the API (only with [api] tokens), a CSV import column, the console;
    the config says which per attribute. Check warns once per attribute, at the first place that
    relies on it, with the file, line and key path."""
    lines = RENEWAL.splitlines()
    audience = next(n for n, line in enumerate(lines, 1) if line.startswith("schedule ="))
    where = f"{tmp_path / 'p0.toml'}:{audience}: trigger.schedule.audience: warning: "

    code, out, err = check(tmp_path, capsys, RENEWAL, config="""[bot.customer_attributes]
membership_expires = ["api"]
lessons_left = []
""")
    assert code == 0 and "0 error(s), 2 warning(s)" in out
    assert (f"{where}customer.attributes.membership_expires: only PATCH /api/customers/<id> sets it, "
            "and [api] tokens is empty") in err
    assert f"{where}customer.attributes.lessons_left: nothing in this installation sets it" in err

    code, out, err = check(tmp_path, capsys, RENEWAL, config="""[api]
tokens = ["membership-system"]
[bot.customer_attributes]
membership_expires = ["api"]
lessons_left = ["import", "console"]
""")
    assert code == 0 and "0 error(s), 0 warning(s)" in out              # every attribute has a setter

    code, out, err = check(tmp_path, capsys, RENEWAL, config='[bot]\ncustomer_attributes = ["membership_expires", '
                                                              '"lessons_left"]\n')
    assert "2 warning(s)" in out and "lessons_left: nothing says what sets it" in err   # a plain list cannot tell

    code, out, _ = check(tmp_path, capsys, RENEWAL)                     # nothing declared: names are not checked
    assert code == 0 and "0 warning(s)" in out


def test_the_of_date_of_a_scheduled_playbook_is_an_attribute_it_relies_on(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    text = next(line for line in RENEWAL.splitlines() if line.startswith("text ="))
    only_of = RENEWAL.replace('audience = "customer.attributes.membership_expires and '
                              'customer.attributes.lessons_left < 3"', 'audience = "true"').replace(
        text, 'text = "会籍快到期了"')
    of_line = next(n for n, line in enumerate(only_of.splitlines(), 1) if line.startswith("of ="))
    code, out, err = check(tmp_path, capsys, only_of, config='[bot.customer_attributes]\nmembership_expires = []\n')
    assert f"p0.toml:{of_line}: steps[0].of: warning: customer.attributes.membership_expires: nothing" in err


def test_an_unknown_attribute_source_is_a_config_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    config.write_text('[wecom]\nenabled = false\n[bot.customer_attributes]\nlevel = ["crm"]\n', encoding="utf-8")
    assert main(["--config", str(config), "doctor"]) == 2
    assert "level: unknown source 'crm'; sources: api, import, console" in capsys.readouterr().err
