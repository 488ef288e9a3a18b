"""Parsing a decrypted push: its fields, its kind, its de-duplication key, wechatpy's object."""

from __future__ import annotations

import hashlib
import logging
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from typing import Any

import xmltodict
from wechatpy import parse_message as parse_mp_message
from wechatpy.work import parse_message as parse_work_message

logger = logging.getLogger(__name__)


_BETWEEN = frozenset(" \t\n\r")  # whitespace between elements, dropped as xmltodict drops it


class BadPayload(ValueError):
    """The decrypted body is not a WeChat XML message."""


# The fields that identify a push or a person, with the longest value WeChat sends (ids are 64-bit
# numbers, openids 28 characters, external userids 32): longer ones are refused before storing.
FIELD_LIMITS = {
    "MsgId": 128, "MsgType": 32, "Event": 32, "ChangeType": 48, "FromUserName": 64, "ToUserName": 64,
    "UserID": 64, "ExternalUserID": 64, "OpenKfId": 64, "State": 64, "Token": 128, "EventKey": 128,
    "AgentID": 16, "CreateTime": 12, "WelcomeCode": 256, "MenuId": 64,
}


def parse_document(xml: str) -> Any:
    """The root element of `xml` as xmltodict reads it (nested elements are dicts, repeated ones
    lists, text stripped, empty elements None): `{"xml": {...}}` gives the inner dict.

    WeChat's XML is flat, so it is read by a scan of its exact shape or else by the C parser of
    xml.etree into one dict; anything else (attributes, nesting, repeated or namespaced names, a
    DOCTYPE, mixed text, a parse error) goes to xmltodict, which decides it exactly as before.
    Raises `BadPayload` when it is not XML.
    """
    if "<!DOCTYPE" not in xml and "xmlns" not in xml:
        flat = _canonical(xml)
        if flat is None:
            flat = _flat(xml)
        if flat is not None:
            return flat
    try:
        document = xmltodict.parse(xml)
    except Exception as exc:  # expat raises its own error types; all mean "not XML"
        raise BadPayload(f"body is not XML: {exc}") from None
    return document.get("xml") if isinstance(document, dict) else None


def _canonical(xml: str) -> dict[str, Any] | None:
    """The shape WeChat sends, read without a parser: `<xml>`, then `<Name>` elements holding one
    CDATA section or plain text, then `</xml>`. None for anything else: a value that is not plain
    printable text (entities, newlines, control characters), a self-closing or repeated element,
    attributes, a declaration. What this accepts is well-formed XML that expat reads the same way.
    """
    if not (xml.startswith("<xml>") and xml.endswith("</xml>")):
        return None
    fields: dict[str, Any] = {}
    find, startswith = xml.find, xml.startswith
    pos, end = 5, len(xml) - 6
    while pos < end:
        if xml[pos] in _BETWEEN:
            pos += 1
            continue
        if xml[pos] != "<":
            return None
        close = find(">", pos)
        tag = xml[pos + 1:close]
        if not (tag.isascii() and tag.isalnum() and tag[0].isalpha()) or tag in fields:
            return None
        start = close + 1
        if startswith("<![CDATA[", start):
            stop = find("]]>", start + 9)
            if stop < 0:
                return None
            value, after = xml[start + 9:stop], stop + 3
        else:
            after = find("<", start)
            value = xml[start:after]
            if "&" in value or ">" in value:
                return None
        if not value.isprintable() or not startswith(f"</{tag}>", after):
            return None
        fields[tag] = value.strip() or None
        pos = after + len(tag) + 3
    return fields if fields and pos == end else None


def _flat(xml: str) -> dict[str, Any] | None:
    """`<xml><A>text</A>...</xml>` as {"A": "text", ...}; None for any other shape or a parse error."""
    parser = ElementTree.XMLParser(encoding="utf-8")  # as xmltodict: UTF-8 whatever the declaration says
    try:
        parser.feed(xml.encode("utf-8"))
        root = parser.close()
    except (ElementTree.ParseError, ValueError):
        return None
    if root.tag != "xml" or root.attrib or (root.text and not root.text.isspace()):
        return None
    fields: dict[str, Any] = {}
    for child in root:
        tag, text = child.tag, child.text
        if (not isinstance(tag, str) or tag in fields or len(child) or child.attrib
                or (child.tail and not child.tail.isspace())):
            return None
        fields[tag] = (text.strip() or None) if text else None
    return fields or None


def parse_fields(xml: str) -> dict[str, Any]:
    """XML to a flat dict of strings (nested elements stay dicts); identifying fields checked."""
    fields = parse_document(xml)
    if not isinstance(fields, dict) or not fields.get("MsgType"):
        raise BadPayload("XML has no <xml><MsgType> element")
    for name, limit in FIELD_LIMITS.items():
        value = fields.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise BadPayload(f"<{name}> must be text")
        if len(value) > limit:
            raise BadPayload(f"<{name}> is longer than {limit} characters")
    if fields.get("CreateTime") and not (fields["CreateTime"].isascii() and fields["CreateTime"].isdigit()):
        raise BadPayload("<CreateTime> must be Unix seconds")
    return dict(fields)


def update_kind(fields: Mapping[str, Any]) -> str:
    msg_type = str(fields.get("MsgType", "")).lower()
    if msg_type != "event":
        return msg_type
    parts = ["event", str(fields.get("Event", "")).lower()]
    if fields.get("ChangeType"):
        parts.append(str(fields["ChangeType"]).lower())
    return ":".join(parts)


def dedupe_key(channel: str, fields: Mapping[str, Any]) -> str:
    """WeChat's own rule: MsgId for messages, sender + CreateTime + event for events.

    WeCom sends contact events from "sys", so the contact and staff ids join the key: two
    customers adding a guide within the same second are two events, not a retry.
    """
    if fields.get("MsgId"):
        return f"{channel}:msg:{fields['MsgId']}"
    parts = [
        channel,
        "evt",
        str(fields.get("FromUserName", "")),
        str(fields.get("CreateTime", "")),
        update_kind(fields),
    ]
    for name in ("UserID", "ExternalUserID", "Token", "EventKey", "TagId", "Id"):
        if fields.get(name):
            parts.append(str(fields[name]))
    key = ":".join(parts)
    # Cutting a long key could make two events one; its digest keeps them apart within the column.
    return key if len(key) <= 255 else f"{key[:200]}:{hashlib.sha256(key.encode()).hexdigest()}"


def typed_message(channel: str, xml: str) -> Any:
    """wechatpy's parsed object, for handlers that prefer attributes; None when it can't parse."""
    try:
        return parse_work_message(xml) if channel == "wecom" else parse_mp_message(xml)
    except Exception:  # wechatpy raises assorted errors on shapes it doesn't know
        logger.debug("wechatpy could not parse a %s message", channel, exc_info=True)
        return None


def customer_key(channel: str, fields: Mapping[str, Any]) -> str:
    """Who a push is about, so that one customer's pushes are handled one at a time, in order.

    A WeCom contact and a kf customer share the `external_userid` namespace; Official Account
    followers are keyed by openid; anything else (staff, "sys") by its sender.
    """
    external = fields.get("ExternalUserID")
    if external:
        return f"ext:{external}"[:160]
    sender = str(fields.get("FromUserName", ""))
    if channel == "kf":
        return f"ext:{sender}"[:160]
    return f"{channel}:{sender}"[:160]
