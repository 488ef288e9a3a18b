"""The validators' messages in Chinese, for the console's editors (剧本, 标签规则, 话术库).

The validators (bot/playbooks/loader.py, bot/tagging/rules.py, bot/guides/scripts.py) speak
English to the CLI and the logs; the console shows the operator the same problem in Chinese. Only
the message is translated: the file, line and key stay as the validator found them. Each entry
matches one kind of message (pydantic's error kinds as they read, and the validators' own) and
keeps the values it quotes; a message no entry knows is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Rewrite = str | Callable[[re.Match[str]], str]

# pydantic's messages by error kind (missing, extra_forbidden, int_parsing, ...), then the validators' own.
_RULES: list[tuple[str, Rewrite]] = [
    (r"^(?:missing required key|Field required)$", "缺少必填项"),
    (r"^(?:unknown key|Extra inputs are not permitted)$", "不认识的键（拼写错了，或放错了位置）"),
    (r"^Input should be a valid integer.*$", "应为整数"),
    (r"^Input should be a valid number.*$", "应为数字"),
    (r"^Input should be a valid string$", "应为文本（用双引号括起来）"),
    (r"^Input should be a valid boolean.*$", "应为 true 或 false"),
    (r"^Input should be a valid (?:list|array).*$", "应为列表（如 [\"a\", \"b\"]）"),
    (r"^Input should be a valid (?:dictionary|object).*$", "应为表（TOML 的 [表] 或 { 键 = 值 }）"),
    (r"^Input should be a valid datetime.*$", "应为日期时间"),
    (r"^Input should be a valid date.*$", "应为日期（如 2026-11-30）"),
    (r"^Input should be greater than or equal to (.+)$", r"应不小于 \1"),
    (r"^Input should be greater than (.+)$", r"应大于 \1"),
    (r"^Input should be less than or equal to (.+)$", r"应不大于 \1"),
    (r"^Input should be less than (.+)$", r"应小于 \1"),
    (r"^Input should be ('.+')$", lambda m: "应为以下之一：" + m[1].replace(" or ", "、").replace(", ", "、")),
    (r"^String should have at least (\d+) characters?$", r"至少 \1 个字符"),
    (r"^String should have at most (\d+) characters?$", r"最多 \1 个字符"),
    (r"^List should have at least (\d+) items?.*$", r"至少 \1 项"),
    (r"^List should have at most (\d+) items?.*$", r"最多 \1 项"),
    (r"^Value error, (.+)$", lambda m: to_chinese(m[1])),
    (r"^(.+) is not a valid name: use lower-case letters, digits, - and _ \(like day1-care\); no spaces or capitals$",
     r"\1 不是有效的名字：只能用小写字母、数字、- 和 _（如 day1-care），不能有空格或大写"),
    (r"^(.+) is not a valid name: use letters, digits and _ \(like class_start\), starting with a letter$",
     r"\1 不是有效的名字：只能用字母、数字和 _（如 class_start），并以字母开头"),
    (r"^set exactly one trigger kind \((.+?)\); found (.*)$",
     lambda m: f"触发方式只能设一种（{m[1]}）；现在设了 {m[2].replace(' and ', ' 和 ')}"),
    (r"^set exactly one trigger kind \((.+?)\)(.*)$", r"触发方式只能设一种（\1）\2"),
    (r'^expected a duration like .*?, got (.+?); units: .*$',
     r'应为时长，如 "3d"、"12h" 或 "30min"，收到 \1；单位：min（分钟）、h、d、w，或 分钟、小时、天、周；'
     r'可组合，如 "1d12h"；月不是单位，请写 "30d"'),
    (r"^expected a duration.*$", '应为时长，如 "3d"、"12h" 或 "30min"'),
    (r"^keyword list is empty$", "关键词列表是空的"),
    (r"^a channel is listed twice$", "同一个渠道列了两次"),
    (r"^unknown channel (.+?); expected some of (.*)$", r"不认识的渠道 \1；可用：\2"),
    (r"^unknown channel (.+?); (.*)$", r"不认识的渠道 \1；\2"),
    (r"^a step needs text or \[\[steps\.variants\]\]$", "步骤需要 text，或 [[steps.variants]]"),
    (r"^channel mp_template needs template_id$", "渠道 mp_template 需要 template_id"),
    (r"^template_id/template_data only apply to channel mp_template$",
     "template_id / template_data 只用于渠道 mp_template"),
    (r"^variant names must be unique$", "变体名称不能重复"),
    (r"^on and of cannot be combined; on already names the attribute$", "on 和 of 不能同时使用；on 已经指明了属性"),
    (r"^a button label is one line of 1 to (\d+) bytes$", r"按钮文字须为一行，1 到 \1 字节"),
    (r"^feedback buttons need one of the channels (.+?) (.*)$", r"反馈按钮需要以下渠道之一：\1 \2"),
    (r"^months and years are not duration units \(they differ in length\), got (.+?);(.*)$",
     r"时长不能用月或年（长短不一），收到 \1；\2"),
    (r"^a tag lifetime is at least an hour, got (.+)$", r"标签有效期至少一小时，收到 \1"),
    (r"^empty word$", "空的词"),
    (r"^empty entry$", "空的条目"),
    (r"^(.+): '\*' must sit between two words$", r"\1：'*' 必须在两个词之间"),
    (r"^(.+): a cue is a plain word \(no '\*'\)$", r"\1：提示词只能是普通的词（不能含 '*'）"),
    (r"^(.+) is not a mood \(known: (.+)\)$", r"\1 不是已知的情绪（可用：\2）"),
    (r"^(.+): both sides of ':' must be non-empty$", r"\1：':' 两边都不能为空"),
    (r"^already defined by (.+)$", r"已由 \1 定义"),
    (r"^already used by (.+)$", r"已被 \1 使用"),
    (r"^no keyword rule tags (.+)$", r"没有哪条关键词规则打标签 \1"),
    (r"^no tag rule gives (.+?) \(see the tag rules, \[bot\] tag_rules\)$",
     r"没有哪条标签规则会打上 \1（见标签规则，[bot] tag_rules）"),
    (r"^invalid expression (.+?): (.*)$", r"表达式无效 \1：\2"),
    (r"^unknown metric (.+?) \(known: (.+)\)$", r"不认识的指标 \1（可用：\2）"),
    (r"^must be an array of tables \(\[\[(\w+)\]\]\)$", r"应为表数组（[[\1]]）"),
    (r"^must be a list of group names$", "应为分组名的列表"),
    (r"^must be a table of word lists$", "应为词表（每个键一个词列表）"),
    (r"^must be a non-empty list of non-empty strings$", "应为非空的文本列表，且每项不能为空"),
    (r"^unknown section (.+?) \(expected one of (.+)\)$", r"不认识的部分 \1（应为以下之一：\2）"),
    (r"^(.+) uses unknown vocab (.+)$", r"\1 用了不认识的词表 \2"),
    (r"^invalid TOML: (.*?)\s*\(at line (\d+), column (\d+)\)(.*)$",
     lambda m: f"TOML 语法错误（第 {m[2]} 行第 {m[3]} 列）：{_toml(m[1])}"),
    (r"^invalid TOML: (.*?)\s*\(at end of document\)(.*)$", lambda m: f"TOML 语法错误（文件末尾）：{_toml(m[1])}"),
    (r"^invalid TOML: (.*)$", lambda m: f"TOML 语法错误：{_toml(m[1])}"),
]
# tomllib's messages (the TOML parser the validators use).
_TOML = [
    (r"^Cannot declare \((.*?),?\) twice$", r"表 \1 声明了两次"),
    (r"^Cannot overwrite a value.*$", "同一个键赋值了两次"),
    (r"^Invalid value$", "值无效（文本要用双引号括起来）"),
    (r"^Expected newline or end of document after a statement$", "一条语句之后应换行"),
    (r"^Expected '=' after a key in a key/value pair$", "键后面应有 '='"),
    (r"^Invalid statement$", "无效的语句"),
    (r"^Unclosed array$", "数组没有闭合（缺少 ]）"),
    (r"^Unclosed inline table$", "内联表没有闭合（缺少 }）"),
    (r"^Unterminated string$", "字符串没有结束（缺少引号）"),
    (r"^Invalid initial character for a key part$", "键的第一个字符无效"),
    (r"^Expected ']' at the end of a table declaration$", "表头末尾应有 ']'"),
    (r"^Expected ']]' at the end of an array declaration$", "表数组头末尾应有 ']]'"),
]
_TOML_COMPILED = [(re.compile(pattern), rewrite) for pattern, rewrite in _TOML]
_COMPILED = [(re.compile(pattern, re.S), rewrite) for pattern, rewrite in _RULES]


def _toml(detail: str) -> str:
    detail = re.sub(r"\s*\(line \d+\)$", "", detail.strip())
    for pattern, rewrite in _TOML_COMPILED:
        match = pattern.match(detail)
        if match is not None:
            return match.expand(rewrite)
    return detail


def to_chinese(message: str) -> str:
    """The message in Chinese when its kind is known; otherwise as it is."""
    text = message.strip()
    for pattern, rewrite in _COMPILED:
        match = pattern.match(text)
        if match is not None:
            return rewrite(match) if callable(rewrite) else match.expand(rewrite)
    return message


def in_chinese(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Problems as the editors show them: the same line and key, the message in Chinese."""
    return [{**problem, "message": to_chinese(problem["message"])} for problem in problems]
