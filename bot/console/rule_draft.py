"""A draft of the tag rules with one keyword added to, or taken out of, a tag's rule, as a minimal text edit.

标注's 改规则的建议 offers 「加进规则」 and 「去掉这个词」; the draft they open in the 标签规则 editor is the file as
it is with only that word's text changed: comments, order and layout of everything else stay. A word is added
to the `keywords` list of the tag's first `[[keyword]]` rule that lists a word of its own (not only `{vocab}`
references), after its last item; a word is taken out of every `keywords` and `synonyms` list of the tag's rules
that lists it as written. The edit is checked by reading both texts as TOML: the data must differ by exactly
that word, or the draft is refused (nothing changes). Nothing is saved here.
"""

from __future__ import annotations

import copy
import re
import tomllib
from dataclasses import dataclass

MAX_WORD = 20  # characters: a keyword is a word or a short phrase
FORBIDDEN = set('"\'\\{}*#[]=,')  # would break the TOML string, or mean something in a keyword ({vocab}, * gap)
LISTS = ("keywords", "synonyms")
_VOCAB_ONLY = re.compile(r"^\{[^{}]+\}$")


class DraftRefused(Exception):
    """The draft cannot be made; the message says why, in Chinese, for the operator."""


class BadInput(DraftRefused):
    """The request itself is wrong (a field the operator or the page sent): `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Draft:
    text: str
    rules: tuple[int, ...]  # the [[keyword]] tables edited, numbered from 1 in file order
    line: int  # the first line the edit touches (1-based)


@dataclass(frozen=True)
class _Item:
    start: int
    end: int  # text[start:end] is the item's TOML


@dataclass(frozen=True)
class _Array:
    open: int  # index of "["
    close: int  # index of "]"
    items: tuple[_Item, ...]


def check_word(word: str) -> str:
    """The word trimmed, or BadInput naming the field `word`."""
    word = word.strip()
    if not word:
        raise BadInput("word", "词（word）不能为空")
    if len(word) > MAX_WORD:
        raise BadInput("word", f"词（word）太长：最多 {MAX_WORD} 个字")
    bad = sorted({c for c in word if c in FORBIDDEN or not c.isprintable() or c.isspace()})
    if bad:
        shown = "、".join(repr(c)[1:-1] if c.isprintable() and not c.isspace() else "空白或换行" for c in bad)
        raise BadInput("word", f"词（word）里不能有 {shown}")
    return word


def add_keyword(text: str, tag: str, word: str) -> Draft:
    """`word` appended to the `keywords` of the tag's first keyword rule that lists a word of its own."""
    word = check_word(word)
    data, rules = _tag_rules(text, tag)
    for index in rules:
        listed = [w for field in LISTS for w in data["keyword"][index].get(field, ())]
        if word in listed:
            raise DraftRefused(f"「{word}」已经在「{tag}」的关键词里了（第 {index + 1} 条 [[keyword]] 规则），不用再加")
    target = next((i for i in rules if any(isinstance(w, str) and not _VOCAB_ONLY.match(w)
                                           for w in data["keyword"][i].get("keywords", ()))), None)
    if target is None:
        raise DraftRefused(f"「{tag}」的规则只用词表（{{…}}）列关键词，没有可以直接加词的 keywords："
                           "请在 [vocab] 里把词加进对应的词表")
    array = _arrays(text).get(("keyword", target, "keywords"))
    if array is None or not array.items:
        raise _unplaceable(tag)
    edited = _insert(text, array, _quoted(word))
    expected = copy.deepcopy(data)
    expected["keyword"][target]["keywords"].append(word)
    _verify(edited, expected, tag)
    return Draft(edited, (target + 1,), _line_of(text, array.items[-1].start))


def remove_keyword(text: str, tag: str, word: str) -> Draft:
    """`word` taken out of every `keywords` and `synonyms` list of the tag's rules that lists it as written."""
    word = check_word(word)
    data, rules = _tag_rules(text, tag)
    arrays = _arrays(text)
    expected = copy.deepcopy(data)
    cuts: list[tuple[_Array, _Item]] = []
    edited_rules: list[int] = []
    for index in rules:
        for field in LISTS:
            words = data["keyword"][index].get(field)
            if not isinstance(words, list) or word not in words:
                continue
            array = arrays.get(("keyword", index, field))
            if array is None or len(array.items) != len(words):
                raise _unplaceable(tag)
            if field == "keywords" and all(w == word for w in words):
                raise DraftRefused(f"去掉「{word}」后，第 {index + 1} 条 [[keyword]] 规则（{tag}）就没有关键词了："
                                   "keywords 不能为空，请在编辑器里手动改这条规则")
            cuts += [(array, item) for item, listed in zip(array.items, words, strict=True) if listed == word]
            expected["keyword"][index][field] = [w for w in words if w != word]
            edited_rules.append(index + 1)
    if not cuts:
        raise DraftRefused(f"「{word}」不是「{tag}」的规则直接列出的关键词（可能是词表 {{…}} 或概念组带来的），"
                           "不能直接去掉：可以在这条规则的 exclude 里写上打错的说法，或写 expand = false")
    edited = text
    for array, item in sorted(cuts, key=lambda cut: -cut[1].start):  # from the end: earlier offsets hold
        edited = _cut(edited, array, item)
    _verify(edited, expected, tag)
    return Draft(edited, tuple(dict.fromkeys(edited_rules)), _line_of(text, min(item.start for _, item in cuts)))


def _tag_rules(text: str, tag: str) -> tuple[dict, list[int]]:  # type: ignore[type-arg]
    """The file's data and the indexes of the tag's [[keyword]] rules."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DraftRefused(f"规则文件现在不是正确的 TOML（{error}），不能自动修改：先在标签规则里把它改好") from None
    keyword = data.get("keyword")
    rules = [i for i, rule in enumerate(keyword if isinstance(keyword, list) else [])
             if isinstance(rule, dict) and rule.get("tag") == tag]
    if rules:
        return data, rules
    behaviour = data.get("behaviour")
    if isinstance(behaviour, list) and any(isinstance(rule, dict) and rule.get("tag") == tag for rule in behaviour):
        raise DraftRefused(f"「{tag}」是行为规则（[[behaviour]]）给的标签，没有关键词可以改")
    raise BadInput("tag", f"标签（tag）「{tag}」不在标签规则的关键词规则里")


def _unplaceable(tag: str) -> DraftRefused:
    return DraftRefused(f"没能在规则文件里找到「{tag}」的关键词列表的位置（写法特殊），请在标签规则里手动改")


def _verify(edited: str, expected: dict, tag: str) -> None:  # type: ignore[type-arg]
    """The edited text reads as exactly the data intended, or the draft is refused."""
    try:
        same = tomllib.loads(edited) == expected
    except tomllib.TOMLDecodeError:
        same = False
    if not same:
        raise _unplaceable(tag)


def _quoted(word: str) -> str:
    return f'"{word}"'  # check_word leaves no quote, backslash or control character to escape


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end


def _insert(text: str, array: _Array, quoted: str) -> str:
    """`quoted` after the array's last item. Where the list is one item a line, ending in a comma, the word
    gets a line of its own, indented as the last; otherwise it follows the last item on its line."""
    last = array.items[-1]
    after = text[last.end:array.close]
    comma = re.match(r"[ \t]*,", after)
    own_line = text[_line_start(text, last.start):last.start].strip() == "" and "\n" in after
    if comma and own_line:
        end = _line_end(text, last.end)
        indent = text[_line_start(text, last.start):last.start]
        return f"{text[:end]}\n{indent}{quoted},{text[end:]}"
    return f"{text[:last.end]}, {quoted}{text[last.end:]}"


def _cut(text: str, array: _Array, item: _Item) -> str:
    """`item` out of the array: its whole line where it stands alone on one, else it and one comma."""
    start, end = _line_start(text, item.start), _line_end(text, item.end)
    alone = (start > array.open and text[start:item.start].strip() == ""
             and re.fullmatch(r"[ \t]*,?[ \t]*(#.*)?", text[item.end:end]) is not None and end < array.close)
    if alone:
        return text[:start] + text[end + 1:]
    position = array.items.index(item)
    if position + 1 < len(array.items):  # "b", before the next item
        return text[:item.start] + text[array.items[position + 1].start:]
    if position > 0:  # , "b" after the previous one
        return text[:array.items[position - 1].end] + text[item.end:]
    return text[:item.start] + text[item.end:]


def _arrays(text: str) -> dict[tuple[object, ...], _Array]:
    """Every array value in the (valid) TOML text by its key path: ("keyword", 3, "keywords") is the list of
    the fourth [[keyword]] table; arrays of inline tables count their items the same way."""
    return _Scanner(text).scan()


class _Scanner:
    """Where each array of a TOML document stands in its text; the text is known to be valid TOML."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.found: dict[tuple[object, ...], _Array] = {}
        self.tables: dict[tuple[str, ...], int] = {}  # array-of-tables name -> its last index

    def scan(self) -> dict[tuple[object, ...], _Array]:
        table: tuple[object, ...] = ()
        while self._skip(newlines=True) < len(self.text):
            if self.text.startswith("[[", self.pos):
                self.pos += 2
                names = self._key()
                self.tables[names] = self.tables.get(names, -1) + 1
                table = (*self._resolve(names[:-1]), names[-1], self.tables[names])
                self.pos = self.text.index("]]", self.pos) + 2
            elif self.text.startswith("[", self.pos):
                self.pos += 1
                table = self._resolve(self._key())
                self.pos = self.text.index("]", self.pos) + 1
            else:
                self._pair(table)
        return self.found

    def _resolve(self, names: tuple[str, ...]) -> tuple[object, ...]:
        path: list[object] = []
        for i, name in enumerate(names):
            path.append(name)
            if names[:i + 1] in self.tables:
                path.append(self.tables[names[:i + 1]])
        return tuple(path)

    def _skip(self, newlines: bool) -> int:
        """Past spaces (and newlines and comments, if `newlines`); the position."""
        while self.pos < len(self.text):
            c = self.text[self.pos]
            if c in " \t" or (newlines and c in "\r\n"):
                self.pos += 1
            elif c == "#" and newlines:
                self.pos = _line_end(self.text, self.pos)
            else:
                break
        return self.pos

    def _key(self) -> tuple[str, ...]:
        names = []
        while True:
            self._skip(newlines=False)
            if self.text[self.pos] in "\"'":
                start = self.pos
                self._string()
                names.append(tomllib.loads(f"k = {self.text[start:self.pos]}")["k"])
            else:
                found = re.compile(r"[A-Za-z0-9_-]+").match(self.text, self.pos)
                assert found is not None, self.pos
                names.append(found[0])
                self.pos = found.end()
            self._skip(newlines=False)
            if self.text[self.pos] != ".":
                return tuple(names)
            self.pos += 1

    def _pair(self, table: tuple[object, ...]) -> None:
        path = (*table, *self._key())
        self._skip(newlines=False)
        self.pos += 1  # "="
        self._skip(newlines=False)
        self._value(path)

    def _value(self, path: tuple[object, ...]) -> None:
        c = self.text[self.pos]
        if c == "[":
            self._array(path)
        elif c == "{":
            self.pos += 1
            while self._skip(newlines=False) < len(self.text) and self.text[self.pos] != "}":
                if self.text[self.pos] == ",":
                    self.pos += 1
                else:
                    self._pair(path)
            self.pos += 1
        elif c in "\"'":
            self._string()
        else:  # a number, date or boolean: up to what ends a value (a date may hold a space)
            found = re.compile(r"[^,\]}\r\n#]*").match(self.text, self.pos)
            assert found is not None
            self.pos = found.start() + len(found[0].rstrip())

    def _array(self, path: tuple[object, ...]) -> None:
        opened, items = self.pos, []
        self.pos += 1
        while self._skip(newlines=True) < len(self.text) and self.text[self.pos] != "]":
            if self.text[self.pos] == ",":
                self.pos += 1
                continue
            start = self.pos
            self._value((*path, len(items)))
            items.append(_Item(start, self.pos))
        self.found[path] = _Array(opened, self.pos, tuple(items))
        self.pos += 1

    def _string(self) -> None:
        quote = self.text[self.pos]
        if self.text.startswith(quote * 3, self.pos):
            start = self.pos + 3
            end = self.text.index(quote * 3, start) if quote == "'" else self._basic_end(start, quote * 3)
            while self.text.startswith(quote, end + 3):  # up to two quotes of the content may end it: """a""""
                end += 1
            self.pos = end + 3
        elif quote == "'":
            self.pos = self.text.index("'", self.pos + 1) + 1
        else:
            self.pos = self._basic_end(self.pos + 1, '"') + 1

    def _basic_end(self, start: int, closing: str) -> int:
        """Where `closing` first stands in a basic string from `start`, escapes skipped."""
        position = start
        while not self.text.startswith(closing, position):
            position += 2 if self.text[position] == "\\" else 1
        return position
