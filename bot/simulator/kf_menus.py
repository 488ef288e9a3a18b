"""微信客服 menu messages (`msgmenu`) and the customer's click on one of their items.

kf/send_msg takes `msgtype = "msgmenu"` with `head_content` (at most 1024 bytes), a `list` of at
most 10 items and `tail_content` (at most 1024 bytes); a `click` item has an `id` of 1 to 64
bytes and a `content` of 1 to 128 bytes (WeCom 94677, 菜单消息). When the customer taps a click
item, WeChat sends the item's content as the customer's text, with the item's id as `menu_id`,
through kf/sync_msg (WeCom 94670, 文本消息 menu_id), announced by a kf_msg_or_event callback.
`view` (a web page) and `miniprogram` items are checked for their content only; tapping them
sends nothing back. A malformed menu is refused with 40058 (assumed: the page lists the limits,
not the errcode).
"""

from __future__ import annotations

from typing import Any

HEAD_BYTES = 1024
TAIL_BYTES = 1024
MAX_ITEMS = 10
ID_BYTES = 64
CONTENT_BYTES = 128
ITEM_TYPES = ("click", "view", "miniprogram", "text")

def menu_problem(body: Any) -> str | None:
    """What is wrong with a `msgmenu` body, or None."""
    if not isinstance(body, dict):
        return "msgmenu is required"
    for key, limit in (("head_content", HEAD_BYTES), ("tail_content", TAIL_BYTES)):
        if len(str(body.get(key) or "").encode()) > limit:
            return f"msgmenu.{key} is longer than {limit} bytes"
    items = body.get("list")
    if not isinstance(items, list) or not items or len(items) > MAX_ITEMS:
        return f"msgmenu.list needs 1 to {MAX_ITEMS} items"
    ids = []
    for index, item in enumerate(items):
        kind = item.get("type") if isinstance(item, dict) else None
        detail = item.get(kind) if kind in ITEM_TYPES else None
        if not isinstance(detail, dict):
            return f"msgmenu.list[{index}]: type must be one of {', '.join(ITEM_TYPES)}, with its object"
        if not 1 <= len(str(detail.get("content") or "").encode()) <= CONTENT_BYTES:
            return f"msgmenu.list[{index}].{kind}.content must be 1 to {CONTENT_BYTES} bytes"
        if kind == "click":
            ids.append(str(detail.get("id") or ""))
            if not 1 <= len(ids[-1].encode()) <= ID_BYTES:
                return f"msgmenu.list[{index}].click.id must be 1 to {ID_BYTES} bytes"
    if len(set(ids)) != len(ids):
        return "msgmenu.list: click ids must be unique"
    return None


def click_items(body: dict[str, Any]) -> dict[str, str]:
    """The click items of a menu: {id: content}."""
    return {str(item["click"]["id"]): str(item["click"]["content"])
            for item in body.get("list") or [] if item.get("type") == "click"}


def menu_text(body: dict[str, Any]) -> str:
    """How a menu message reads in the sent log: head, [item] [item], tail."""
    items = " ".join(f"[{(item.get(item.get('type')) or {}).get('content', '')}]" for item in body.get("list") or [])
    return "\n".join(part for part in (str(body.get("head_content") or ""), items,
                                       str(body.get("tail_content") or "")) if part)
