"""The webhook's one parse of a decrypted push reads every document exactly as xmltodict does."""

from __future__ import annotations

from typing import Any

import pytest
import xmltodict
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.inbound.parsing import BadPayload, parse_document, parse_fields

TEXT = ('<xml><ToUserName><![CDATA[gh_abc]]></ToUserName><FromUserName><![CDATA[oAbc123]]></FromUserName>'
        '<CreateTime>1764445000</CreateTime><MsgType><![CDATA[text]]></MsgType>'
        '<Content><![CDATA[  你好 &amp; 谢谢 ]]></Content><MsgId>1764445000123456</MsgId></xml>')


def xmltodict_root(xml: str) -> Any:
    document = xmltodict.parse(xml)
    return document.get("xml") if isinstance(document, dict) else None


SHAPES = [
    TEXT,
    "<xml>\n  <MsgType>text</MsgType>\n  <Content>a &lt; b</Content>\n</xml>",
    "<xml><MsgType>event</MsgType><Event>subscribe</Event><EventKey></EventKey><Ticket/></xml>",
    '<?xml version="1.0" encoding="gbk"?><xml><MsgType>text</MsgType><Content>中文</Content></xml>',
    # Shapes the flat reader leaves to xmltodict, which must give what it always gave.
    "<xml><MsgType>event</MsgType><ScanCodeInfo><ScanType>qrcode</ScanType></ScanCodeInfo></xml>",
    "<xml><MsgType>text</MsgType><Item>1</Item><Item>2</Item></xml>",
    '<xml a="1"><MsgType>text</MsgType></xml>',
    '<xml><MsgType kind="x">text</MsgType></xml>',
    '<xml xmlns:w="urn:w"><MsgType>text</MsgType></xml>',
    '<xml xmlns="urn:w"><MsgType>text</MsgType></xml>',
    "<xml>loose<MsgType>text</MsgType>text</xml>",
    "<xml><MsgType>text</MsgType>tail</xml>",
    "<xml><!-- note --><MsgType>text</MsgType></xml>",
    "<other><MsgType>text</MsgType></other>",
    "<xml></xml>",
    "<xml>just text</xml>",
    "<xml><xml></xml></xml>",
    "<xml><A><![CDATA[x</xml>]]></A>\n<B>1</B>\r\n</xml>",
    "<xml><A>a > b</A><B/><C>x&amp;y</C></xml>",
    "<xml><A><![CDATA[one]]><![CDATA[two]]></A></xml>",
    "<xml><A>line\r\nbreak</A></xml>",
]


@pytest.mark.parametrize("xml", SHAPES)
def test_documents_read_as_xmltodict_reads_them(xml: str) -> None:
    assert parse_document(xml) == xmltodict_root(xml)


@pytest.mark.parametrize("xml", ["", "not xml", "<xml><MsgType>text</xml>", "<xml><a>\ud800</a></xml>",
                                 '<!DOCTYPE x [<!ENTITY e "boom">]><xml><MsgType>&e;</MsgType></xml>'])
def test_what_is_not_xml_is_a_bad_payload_as_before(xml: str) -> None:
    try:
        expected: Any = xmltodict_root(xml)
    except Exception:  # noqa: BLE001 - whatever xmltodict raised, ours is BadPayload
        with pytest.raises(BadPayload):
            parse_document(xml)
    else:
        assert parse_document(xml) == expected


def test_a_customer_text_keeps_its_fields() -> None:
    fields = parse_fields(TEXT)
    assert fields == {"ToUserName": "gh_abc", "FromUserName": "oAbc123", "CreateTime": "1764445000",
                      "MsgType": "text", "Content": "你好 &amp; 谢谢", "MsgId": "1764445000123456"}


names = st.sampled_from(["MsgType", "Content", "Event", "EventKey", "FromUserName", "a", "B_1"])
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"))
                | st.sampled_from([" ", "\n", "\t", "\r", "\x0b", ">", "]", "\u3000", "\u200d"]), max_size=12)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


element = st.one_of(
    st.tuples(names, texts).map(lambda p: f"<{p[0]}>{escape(p[1])}</{p[0]}>"),
    st.tuples(names, texts.filter(lambda t: "]]>" not in t)).map(lambda p: f"<{p[0]}><![CDATA[{p[1]}]]></{p[0]}>"),
    names.map(lambda n: f"<{n}/>"),
    st.tuples(names, names, texts).map(lambda p: f"<{p[0]}><{p[1]}>{escape(p[2])}</{p[1]}></{p[0]}>"),
    st.sampled_from([" ", "\n", "x", "&amp;"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(element, max_size=8), st.sampled_from(["xml", "root"]))
def test_any_small_document_reads_as_xmltodict_reads_it(children: list[str], root: str) -> None:
    xml = f"<{root}>{''.join(children)}</{root}>"
    try:
        expected = xmltodict_root(xml)
    except Exception:  # noqa: BLE001 - not XML (a control character...): ours refuses it too
        with pytest.raises(BadPayload):
            parse_document(xml)
    else:
        assert parse_document(xml) == expected
