"""The tagger's regexes kept compiled on disk: read back, they match as `re.compile`'s do."""

from __future__ import annotations

import re
from pathlib import Path
from re import _parser

import pytest

from bot.tagging import patterns
from bot.tagging.disk_cache import load_cached, store_cached

# Named groups, a gap, a lookbehind, a character class of Han characters: what the markers and cues hold.
SOURCE = "(?P<worry>担心|怕)|(?P<hearsay>听.{0,3}?说)|(?<![不没])(?:太|真)(?:慢|贵)|[约订]好了"
TEXTS = ["我有点担心会肿", "听朋友说你们很好", "也太慢了吧", "不太慢", "已经约好了", "没有"]


@pytest.fixture
def cache_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A process's start: nothing read, compiled or made yet, the file in a scratch directory."""
    path = tmp_path / "regex.marshal"
    monkeypatch.setattr(patterns, "_path", lambda: path)
    _new_process(monkeypatch)
    return path


def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(patterns, "_kept", None)
    monkeypatch.setattr(patterns, "_used", {})
    monkeypatch.setattr(patterns, "_made", {})
    monkeypatch.setattr(patterns, "_unsaved", False)


def _found(pattern: re.Pattern[str]) -> list[object]:
    return [(m.span(), m.lastgroup, m.groups()) if (m := pattern.search(text)) else None for text in TEXTS]


def test_a_pattern_read_back_from_the_file_matches_as_re_compiles_it(cache_file: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    first = patterns.compile_pattern(SOURCE)
    patterns.save_patterns()
    assert cache_file.exists()
    _new_process(monkeypatch)
    again = patterns.compile_pattern(SOURCE)
    assert not patterns._unsaved  # read from the file, not compiled
    expected = re.compile(SOURCE)
    assert _found(first) == _found(again) == _found(expected)
    assert (again.pattern, again.flags, again.groups, again.groupindex) == (
        expected.pattern, expected.flags, expected.groups, expected.groupindex)


def test_nothing_is_written_when_every_pattern_came_from_the_file(cache_file: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    patterns.compile_pattern(SOURCE)
    patterns.save_patterns()
    _new_process(monkeypatch)
    cache_file.write_bytes(cache_file.read_bytes())  # the same table, in a file stamped now
    stamped = cache_file.stat().st_mtime_ns
    patterns.compile_pattern(SOURCE)
    patterns.save_patterns()
    assert cache_file.stat().st_mtime_ns == stamped


def test_code_the_engine_refuses_is_compiled_anew(cache_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flags, code, groups, names, by_number = patterns._compiled(_parser.parse(SOURCE), 0)
    store_cached(cache_file, {(SOURCE, 0, ""): (flags, code[: len(code) // 2], groups, names, by_number)}, "regex")
    pattern = patterns.compile_pattern(SOURCE)
    assert _found(pattern) == _found(re.compile(SOURCE))
    patterns.save_patterns()  # the file now holds the good code
    held = load_cached(cache_file)
    assert isinstance(held, dict) and held[SOURCE, 0, ""][1] == code


def test_a_bad_pattern_raises_as_re_compile_does(cache_file: Path) -> None:
    with pytest.raises(re.error):
        patterns.compile_pattern("(?P<open>unclosed")


def test_a_variant_is_kept_under_its_name_and_made_only_when_the_file_lacks_it(
        cache_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parses = []

    def parse() -> object:
        parses.append(1)
        return _parser.parse("担心|怕")

    first = patterns.compile_variant(SOURCE, 0, "worry only", parse)
    patterns.save_patterns()
    _new_process(monkeypatch)
    again = patterns.compile_variant(SOURCE, 0, "worry only", parse)
    assert len(parses) == 1
    assert first is not None and again is not None
    assert again.search("有点怕").span() == first.search("有点怕").span() == (2, 3)
    assert patterns.compile_variant(SOURCE, 0, "nothing", lambda: None) is None


def test_past_its_size_the_file_keeps_the_latest_process_patterns_first(cache_file: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    patterns.compile_pattern("从前的|规则")
    patterns.save_patterns()
    _new_process(monkeypatch)
    monkeypatch.setattr(patterns, "_MOST_CODE", len(patterns._compiled(_parser.parse(SOURCE), 0)[1]) + 1)
    patterns.compile_pattern(SOURCE)
    patterns.save_patterns()
    held = load_cached(cache_file)
    assert isinstance(held, dict) and list(held) == [(SOURCE, 0, "")]
