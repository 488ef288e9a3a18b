"""`siyu tag`: bulk JSON lines as a script reads them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
