"""`siyu tag`: bulk JSON lines as a script reads them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules" / "tags.toml"


def tag_lines(text: str) -> list[dict]:  # type: ignore[type-arg]
    result = subprocess.run([sys.executable, "-m", "bot.cli", "tag", "--json", "--stdin", "--rules", str(RULES)],
                            input=text, capture_output=True, text=True, timeout=120, cwd=ROOT, check=True)
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_stdin_gives_one_json_object_per_line_with_the_tags_and_words() -> None:
    lines = ['想预约"周六"的水光针 \\ 多少钱', "你好", "", "不想做热玛吉了\t谢谢"]
    out = tag_lines("\n".join(lines) + "\n")
    assert [row["text"] for row in out] == lines
    assert out[1]["tags"] == [] and out[2]["tags"] == []
    first = {tag["name"]: tag for tag in out[0]["tags"]}
    assert set(first) == {"意向:预约", "关注:价格", "项目:水光针"}
    assert first["意向:预约"] == {"name": "意向:预约", "rule": "keyword:意向:预约", "matched": ["想预约"]}
    assert [tag["name"] for tag in out[3]["tags"]] == ["项目:热玛吉"]


def test_the_tag_command_does_not_load_the_other_features() -> None:
    probe = ("import sys; from bot.cli.main import main; main(['tag', '--rules', sys.argv[1], '你好']); "
             "print(sorted(m for m in sys.modules if m.startswith(('bot.playbooks', 'bot.console', 'sqlalchemy'))))")
    result = subprocess.run([sys.executable, "-c", probe, str(RULES)], capture_output=True, text=True, timeout=120,
                            cwd=ROOT, check=True)
    assert result.stdout.splitlines()[-1] == "[]"


def run_tag(text: str, *options: str) -> bytes:
    result = subprocess.run([sys.executable, "-m", "bot.cli", "tag", "--stdin", "--rules", str(RULES), *options],
                            input=text.encode(), capture_output=True, timeout=300, cwd=ROOT, check=True)
    return result.stdout


def test_a_large_input_split_over_workers_gives_the_single_process_output_byte_for_byte() -> None:
    corpus = (ROOT / "tests" / "data" / "tagging_dev.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in corpus]
    # Over two chunks of lines, ending in a partial chunk, with empty lines and quotes among them.
    lines = [f"{text} {n}" if n % 7 else "" for n, text in enumerate(texts * 50)][:4500] + ['"引号" \\ 退款']
    text = "\n".join(lines) + "\n"
    single = run_tag(text, "--json", "--jobs", "1")
    assert len(single.splitlines()) == len(lines)
    assert run_tag(text, "--json", "--jobs", "3") == single
    assert run_tag(text, "--jobs", "2") == run_tag(text, "--jobs", "1")


def test_siyu_tag_train_writes_a_model_a_rules_file_loads_the_same_bytes_each_time(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli.main import main
    from bot.tagging.model import load_model

    lines = (ROOT / "tests" / "data" / "tagging_dev.jsonl").read_text(encoding="utf-8").splitlines()
    (tmp_path / "a.jsonl").write_text("\n".join(lines[:150]) + "\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("\n".join(lines[150:300]) + "\n", encoding="utf-8")
    data = [str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")]
    assert main(["tag", "train", "--out", str(tmp_path / "one.json"), "--min-examples", "10", *data]) == 0
    assert main(["tag", "train", *data, "--min-examples", "10", "--out", str(tmp_path / "two.json")]) == 0
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "two.json").read_bytes()
    model = load_model(tmp_path / "one.json")
    assert "意向:预约" in model.tags and model.training["options"]["min_examples"] == 10
    assert [entry["path"] for entry in model.training["files"]] == data
    rules = '[model]\nfile = "one.json"\n[[keyword]]\ntag = "意向:预约"\nkeywords = ["预约"]\n'
    (tmp_path / "tags.toml").write_text(rules, encoding="utf-8")
    capsys.readouterr()
    assert main(["tag", "--rules", str(tmp_path / "tags.toml"), "--check"]) == 0
    assert "1 keyword rules" in capsys.readouterr().out


def test_one_message_shows_a_tag_the_model_took_back_and_why(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli.main import main

    assert main(["tag", "--rules", str(RULES), "家里装修太吵了，想找个地方安静一下"]) == 0
    out = capsys.readouterr().out
    assert "(诉求:投诉)  ← 命中" in out and "，低于 0.20，未打标签" in out


def test_one_message_shows_a_tag_the_model_added_and_why(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli.main import main

    assert main(["tag", "--rules", str(RULES), "孩子不想学了，剩下的课时费怎么处理"]) == 0
    out = capsys.readouterr().out
    assert "诉求:退款  ← 模型判断可能性 0.9" in out and "，高于 0.90，补打标签（依据：剩下、" in out


def test_data_files_without_train_are_refused() -> None:
    from bot.cli.main import main

    assert main(["tag", "--rules", str(RULES), "你好", "tests/data/tagging_dev.jsonl"]) == 2


def test_training_without_scikit_learn_names_the_extra_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli.main import main

    for name in ["sklearn", *(name for name in sys.modules if name.startswith("sklearn."))]:
        monkeypatch.setitem(sys.modules, name, None)  # as if not installed
    out = tmp_path / "model.json"
    assert main(["tag", "train", "--out", str(out), "tests/data/tagging_dev.jsonl"]) == 1
    assert "pip install 'siyu[train]'" in capsys.readouterr().err and not out.exists()


def test_the_collector_is_back_after_the_tagger_is_built_and_what_it_built_is_frozen() -> None:
    """`siyu tag` builds its tables with the cyclic collector off and freezes them (bot/tagging/cli.py
    `_long_lived`): the collector runs again for the messages, and a caller's choice is kept."""
    probe = ("import gc, sys; from bot.cli.main import main; main(['tag', '--rules', sys.argv[1], '你好']); "
             "print(gc.isenabled(), gc.get_freeze_count() > 100_000); gc.disable(); "
             "main(['tag', '--rules', sys.argv[1], '你好']); print(gc.isenabled())")
    result = subprocess.run([sys.executable, "-c", probe, str(RULES)], capture_output=True, text=True, timeout=120,
                            cwd=ROOT, check=True)
    assert [line for line in result.stdout.splitlines() if "你好" not in line] == ["True True", "False"]
