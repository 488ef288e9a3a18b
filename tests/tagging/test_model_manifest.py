"""The learned check's manifest (`rules/tags.model.toml`): each tag trains on the groups labelled for it,
the same manifest gives the same bytes, and a bad manifest is refused naming the file and key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.tagging.model import model_json
from bot.tagging.training import TrainingError, read_manifest, read_rows, train_manifest

DATA = Path(__file__).resolve().parents[1] / "data"
SHIPPED_MANIFEST = Path(__file__).resolve().parents[2] / "rules" / "tags.model.toml"
TWO_GROUPS = f'''min_examples = 3
tags = ["意向:预约", "课程:请假", "诉求:退款"]
[[data]]
files = ["{DATA / 'tagging_dev.jsonl'}"]
tags = ["意向:预约", "课程:请假", "诉求:退款"]
[[data]]
files = ["{DATA / 'aftercare_dev.jsonl'}"]
rules = "{DATA / 'aftercare_tags.toml'}"
'''


def test_each_tag_trains_on_the_groups_labelled_for_it_and_the_same_manifest_gives_the_same_bytes(
        tmp_path: Path) -> None:
    from bot.cli.main import main

    manifest = tmp_path / "my.model.toml"
    manifest.write_text(TWO_GROUPS, encoding="utf-8")
    read = read_manifest(manifest)
    assert read.options.min_examples == 3 and read.options.C == 8
    # aftercare's rules name 诉求:退款 but not 课程:请假 nor 意向:预约 (theirs is 意向:报名)
    assert [sorted(group.labelled & set(read.tags)) for group in read.groups] == [
        ["意向:预约", "诉求:退款", "课程:请假"], ["诉求:退款"]]
    model = train_manifest(read)
    assert model.training["groups"] == [{"files": 1, "labelled": ["意向:预约", "诉求:退款", "课程:请假"]},
                                        {"files": 1, "labelled": ["诉求:退款"]}]
    dev = sum(1 for line in (DATA / "tagging_dev.jsonl").read_text(encoding="utf-8").splitlines() if line.strip())
    assert model.training["messages"] > dev  # both groups' messages are read (the vocabulary is theirs)
    assert main(["tag", "train", "--manifest", str(manifest), "--out", str(tmp_path / "a.json")]) == 0
    assert main(["tag", "train", "--manifest", str(manifest), "--out", str(tmp_path / "b.json")]) == 0
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes() == model_json(model).encode()


@pytest.mark.parametrize(("text", "problem"), [
    ("tags = [\"意向:预约\"]\nC = 0\n" + TWO_GROUPS.split("\n", 2)[2], "C: must be a positive number"),
    ("min_df = 1.5\n" + TWO_GROUPS, "min_df: must be a positive whole number"),
    ("colour = 1\n" + TWO_GROUPS, "colour: unknown key"),
    ('tags = []\n[[data]]\nfiles = ["a.jsonl"]\ntags = ["x"]\n', "tags: must be a non-empty list"),
    ('tags = ["x"]\n', "data: must be one or more [[data]] tables"),
    ('tags = ["x"]\n[[data]]\nfiles = ["*.jsonl"]\ntags = ["x"]\n', "data[0].files: '*.jsonl': name each file"),
    ('tags = ["x"]\n[[data]]\nfiles = ["gone.jsonl"]\ntags = ["x"]\n', "data[0].files: 'gone.jsonl': no such file"),
    ('tags = ["x"]\n[[data]]\nfiles = ["a.jsonl"]\n', "data[0]: give either tags or rules"),
    ('tags = ["x"]\n[[data]]\nfiles = ["a.jsonl"]\ntags = ["x"]\nrules = "r.toml"\n', "data[0]: give either"),
    ('tags = ["x"]\n[[data]]\nfiles = ["a.jsonl"]\nrules = "gone.toml"\n', "data[0].rules: 'gone.toml': cannot read"),
    ('tags = ["x", "y"]\n[[data]]\nfiles = ["a.jsonl"]\ntags = ["x"]\n', "tags: no [[data]] group is labelled for 'y'"),
    ('tags = ["x"]\n[[data]]\nfiles = ["a.jsonl"]\ntags = ["x"]\nweight = 2\n', "data[0].weight: unknown key"),
    ('tags = ["x"\n', "invalid TOML"),
    ('tags = ["x"]\nconcepts = 1\n[[data]]\nfiles = ["a.jsonl"]\ntags = ["x"]\n', "concepts: must be a table"),
    ('tags = ["x"]\n[concepts]\n"售后:问题" = ["问题"]\n[[data]]\nfiles = ["a.jsonl"]\ntags = ["x"]\n',
     'concepts."售后:问题": not one of tags'),
    ('tags = ["x"]\n[concepts]\nx = ["售后:问题"]\n[[data]]\nfiles = ["a.jsonl"]\ntags = ["x"]\n',
     'concepts."x": must be a non-empty list of value names'),
    ('tags = ["x"]\n[concepts]\nx = []\n[[data]]\nfiles = ["a.jsonl"]\ntags = ["x"]\n',
     'concepts."x": must be a non-empty list of value names'),
    ('tags = ["x"]\nadd_only = ["y"]\n[[data]]\nfiles = ["a.jsonl"]\ntags = ["x"]\n', "add_only: 'y' is not one of"),
    ('tags = ["x"]\nadd_only = "x"\n[[data]]\nfiles = ["a.jsonl"]\ntags = ["x"]\n', "add_only: must be a list"),
    ('tags = ["x", "y"]\n[concepts]\nx = ["问题"]\ny = ["质量", "问题"]\n[[data]]\nfiles = ["a.jsonl"]\n'
     'tags = ["x", "y"]\n', "concepts.\"y\": '问题' is already a value name of 'x'"),
])
def test_a_bad_manifest_is_refused_naming_the_file_and_key(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / "a.jsonl").write_text('{"text": "你好", "tags": []}\n', encoding="utf-8")
    manifest = tmp_path / "bad.model.toml"
    manifest.write_text(text, encoding="utf-8")
    with pytest.raises(TrainingError) as raised:
        read_manifest(manifest)
    assert any(line.startswith(f"{manifest}: ") and problem in line for line in str(raised.value).splitlines()), \
        str(raised.value)


def test_a_tag_with_too_few_examples_is_named() -> None:
    manifest = read_manifest(SHIPPED_MANIFEST)
    few = type(manifest)(manifest.options, ("意向:预约",), manifest.groups[:0] + (
        type(manifest.groups[0])((DATA / "tagging_dev.jsonl",), frozenset({"意向:报名"}), ("x",)),))
    with pytest.raises(TrainingError, match="'意向:预约' \\(0\\)"):
        train_manifest(few)


def test_the_shipped_manifest_names_each_file_and_reads_no_unseen_set() -> None:
    manifest = read_manifest(SHIPPED_MANIFEST)
    raw = tomllib.loads(SHIPPED_MANIFEST.read_text(encoding="utf-8"))
    names = [Path(name).name for group in raw["data"] for name in group["files"]]
    rules_files = [Path(group["rules"]).name for group in raw["data"] if "rules" in group]
    assert len(names) == len(set(names)) and len(manifest.tags) == 18
    assert set(manifest.add_only) < set(manifest.tags) and {tag for tag, _ in manifest.concepts} <= set(manifest.tags)
    trades = ["pet", "cleaning", "reno", "bakery", "moving", "dance", "eldercare", "studyabroad", "kidsport",
              "babystore", "estate", "wine", "pest", "farm", "tcm", "music", "nanny", "milk", "camp", "matchmaking",
              "checkup2", "insurance", "studyroom", "climbing", "tattoo", "aquarium", "solar", "visa",
              "rental", "property"]
    unseen = {"tagging_heldout5.jsonl", "tagging_heldout10.jsonl", "tagging_heldout11.jsonl",
              "tagging_heldout12.jsonl", "tagging_heldout13.jsonl", "tagging_heldout14.jsonl",
              "tagging_heldout15.jsonl", "tagging_heldout16.jsonl", "tagging_heldout17.jsonl",
              "tagging_heldout18.jsonl", "tagging_heldout19.jsonl",
              *(f"{trade}_heldout.jsonl" for trade in trades)}
    assert not unseen & set(names)
    assert not {f"{trade}_tags.toml" for trade in trades} & set(rules_files)  # their rules are unseen too


def test_a_trades_rules_file_labels_its_messages_for_the_concept_of_its_tags_value(tmp_path: Path) -> None:
    """fruit's 售后:质量 teaches the concept 售后:问题 (value 质量); a topic of that value teaches nothing."""
    topic = '[[keyword]]\ntag = "项目:质量"\nkeywords = ["质量"]\nnegatable = false\n'
    (tmp_path / "topic_tags.toml").write_text(topic, encoding="utf-8")
    manifest = tmp_path / "concept.model.toml"
    manifest.write_text(f'''min_examples = 3
tags = ["售后:问题", "意向:预约"]
add_only = ["售后:问题"]
[concepts]
"售后:问题" = ["问题", "质量"]
[[data]]
files = ["{DATA / 'tagging_dev.jsonl'}"]
tags = ["意向:预约"]
[[data]]
files = ["{DATA / 'fruit_dev.jsonl'}"]
rules = "{DATA / 'fruit_tags.toml'}"
[[data]]
files = ["{DATA / 'tagging_dev2.jsonl'}"]
rules = "topic_tags.toml"
''', encoding="utf-8")
    read = read_manifest(manifest)
    assert read.concepts == (("售后:问题", ("问题", "质量")),)
    assert [dict(group.sources) for group in read.groups] == [{}, {"售后:问题": frozenset({"售后:质量"})}, {}]
    assert "售后:问题" not in read.groups[2].labelled
    fruit = sum("售后:质量" in tags for _, tags in read_rows(DATA / "fruit_dev.jsonl"))
    model = train_manifest(read)
    assert fruit >= 3 and model.training["positives"]["售后:问题"] == fruit
    assert model.training["concepts"] == {"售后:问题": ["问题", "质量"]}  # what the bot maps operators' tags by
    assert model.training["add_only"] == ["售后:问题"]
    assert model.training["groups"][1]["labelled"] == ["售后:问题"]
