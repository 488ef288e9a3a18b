"""The small page an Official Account follower sees after clicking a feedback link."""

from __future__ import annotations

from markupsafe import escape

_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>感谢反馈</title>
<style>
body {{ font-family: -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; background: #f2f3f5;
  margin: 0; display: flex; align-items: center; justify-content: center; min-height: 100vh; color: #222; }}
main {{ background: #fff; border-radius: 12px; padding: 32px 28px; text-align: center; max-width: 320px;
  box-shadow: 0 1px 3px rgba(0, 0, 0, .08); }}
.mark {{ font-size: 44px; color: #07c160; }}
p {{ margin: 12px 0 0; line-height: 1.6; }}
small {{ color: #888; }}
</style></head>
<body><main>
<div class="mark">✓</div>
<p id="thanks">{text}</p>
<p><small>您选择了「{label}」，可以关闭本页了。</small></p>
</main></body></html>
"""


def thanks_page(text: str, label: str) -> str:
    return _PAGE.format(text=escape(text), label=escape(label))
