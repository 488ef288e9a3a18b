"""标签规则 and 话术库: view and edit the rule files (validate, then swap), versions, 试一试 and 改动预览."""

from __future__ import annotations

from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bot.console.messages import in_chinese
from bot.console.playbook_editor import diff_lines
from bot.console.rule_draft import BadInput, Draft, DraftRefused, add_keyword, remove_keyword
from bot.console.rule_replay import LATEST, latest_texts, replay
from bot.console.model_checks import ModelChecks, model_checks
from bot.console.rule_files import KINDS, EditRefused, Problem, RuleFiles, check_tag_rules
from bot.console.views.labels import comparison_json, said_json
from bot.console.views.base import audit, bp, requires, viewer
from bot.guides.scripts import Script, ScriptsError, parse_scripts
from bot.labels.scores import NO_TAGS, compare
from bot.labels.store import labelled
from bot.tagging.candidates import listed_words
from bot.tagging.explain import explain
from bot.tagging.keywords import KeywordTagger
from bot.tagging.rules import RuleSet
from bot.web import current_runtime

MAX_SOURCE = 500_000
MAX_SENTENCE = 500
KIND = "<any(rules, scripts):page>"
PAGE_KIND = {"rules": "tags", "scripts": "scripts"}
MAX_TAG = 100
DRAFTS = {"add": add_keyword, "remove": remove_keyword}


def _files(session) -> RuleFiles:  # type: ignore[no-untyped-def]
    runtime = current_runtime()
    return RuleFiles(session, runtime.clock, runtime.config)


def _render(page: str, text: str, problems: list | None = None, status: int = 200,  # type: ignore[type-arg]
            draft: dict | None = None, refused: str | None = None) -> tuple[str, int]:  # type: ignore[type-arg]
    """The editor over `text`; `draft`: a suggested change shown above it (改动预览 runs at once), `refused`:
    why the suggested change could not be drafted."""
    kind = PAGE_KIND[page]
    tagging = current_runtime().features.get("tagging")
    with current_runtime().db.read_session() as session:
        files = _files(session)
        return render_template(
            "console/rule_edit.html", page=page, kind=kind, title=KINDS[kind], path=files.path(kind), text=text,
            problems=problems or [], versions=files.versions(kind), library=_library(files.text("scripts"), kind),
            checks=_model_checks(files.text("tags")) if kind == "tags" else None,
            replay_limit=LATEST, draft=draft, refused=refused,
            running_error=tagging.store.error if tagging is not None and kind == "tags" else None), status


def _model_checks(text: str) -> ModelChecks | None:
    """学习模型复核 for the saved rules: how the learned check treats each rule's tag (None: the file
    does not load, so there is nothing to show; the editor says why). The running rules are the saved
    file's unless it was just changed outside the console: then it is read again."""
    tagging = current_runtime().features.get("tagging")
    running = tagging.store.current()[0] if tagging is not None else None
    if running is None or not running.is_from(text):
        running, _ = check_tag_rules(text, current_runtime().config.bot.tag_rules_path.parent)
    return model_checks(running) if running is not None else None


@bp.get("/rules")
@requires("admin", "operator")
def rules() -> tuple[str, int]:
    with current_runtime().db.read_session() as session:
        text = _files(session).text("tags")
    return _render("rules", text)


@bp.get("/scripts")
@requires("admin", "operator")
def scripts() -> tuple[str, int]:
    with current_runtime().db.read_session() as session:
        text = _files(session).text("scripts")
    return _render("scripts", text)


def _library(text: str, kind: str) -> list[Script] | None:
    """The saved library, listed beside the 话术库 editor (None: the file does not load)."""
    if kind != "scripts":
        return None
    try:
        return parse_scripts(text).scripts
    except ScriptsError:
        return None


def _source() -> str:
    return request.form.get("source", "")[:MAX_SOURCE].replace("\r\n", "\n")


def _save(page: str, text: str, action: str, detail: dict | None = None) -> Response | tuple[str, int]:  # type: ignore[type-arg]
    runtime = current_runtime()
    kind = PAGE_KIND[page]
    try:
        with runtime.db.session() as session:
            version = _files(session).save(kind, text, viewer().username)
            if version is not None:
                audit(session, action, kind, {"version": version, **(detail or {})})
    except EditRefused as refused:
        return _render(page, text, in_chinese([asdict(p) for p in refused.problems]), 400)
    note = ""
    if version is not None and kind == "tags" and (tagging := runtime.features.get("tagging")) is not None:
        error = tagging.store.reload_now()
        note = f"（但重新加载失败，仍用旧规则：{error}）" if error else "，新规则已生效"
    flash(f"已保存为版本 {version}{note}" if version else "内容没有变化")
    if page == "rules" and request.form.get("back") == "labels":  # saved from a draft of 标注's advice
        return redirect(url_for("console.labels"))
    return redirect(url_for(f"console.{page}"))


@bp.post(f"/{KIND}")
@requires("admin", "operator")
def rule_file_save(page: str) -> Response | tuple[str, int]:
    return _save(page, _source(), f"{page}_save")


@bp.post(f"/{KIND}/validate")
@requires("admin", "operator")
def rule_file_validate(page: str) -> Response:
    """The live check behind the editor: the validator the bot loads the file with."""
    with current_runtime().db.read_session() as session:
        problems = _files(session).check(PAGE_KIND[page], _source())
    return jsonify(ok=not problems, problems=in_chinese([asdict(p) for p in problems]))


@bp.post(f"/{KIND}/rollback/<int:number>")
@requires("admin", "operator")
def rule_file_rollback(page: str, number: int) -> Response | tuple[str, int]:
    with current_runtime().db.read_session() as session:
        old = _files(session).version(PAGE_KIND[page], number)
        if old is None:
            abort(404)
        text = old.content
    return _save(page, text, f"{page}_rollback", {"to": number})


@bp.get(f"/{KIND}/diff/<int:number>")
@requires("admin", "operator")
def rule_file_diff(page: str, number: int) -> str:
    kind = PAGE_KIND[page]
    with current_runtime().db.read_session() as session:
        files = _files(session)
        old = files.version(kind, number)
        if old is None:
            abort(404)
        lines = diff_lines(old.content, files.text(kind), f"版本 {number}", "当前文件")
    return render_template("console/rule_diff.html", page=page, title=KINDS[kind], number=number, lines=lines)


@bp.post("/rules/draft")
@requires("admin", "operator")
def rules_draft() -> tuple[str, int]:
    """「加进规则」/「去掉这个词」 of 标注's 改规则的建议: the editor over the rules file with that one word changed
    (bot/console/rule_draft.py) and 改动预览 run on it. Nothing is saved: the operator saves (and that is
    audited) or leaves. A refused draft shows the file as it is and says why."""
    change, tag, word = (request.form.get(field, "") for field in ("change", "tag", "word"))
    with current_runtime().db.read_session() as session:
        text = _files(session).text("tags")
    try:
        draft = _draft(text, change, tag.strip(), word)
    except BadInput as bad:
        return _render("rules", text, status=400, refused=str(bad))
    except DraftRefused as refused:
        return _render("rules", text, status=409, refused=str(refused))
    what = (f"把「{word.strip()}」加进「{tag.strip()}」的关键词" if change == "add"
            else f"从「{tag.strip()}」的关键词里去掉「{word.strip()}」")
    return _render("rules", draft.text, draft={"what": what, "change": change, "rules": draft.rules,
                                                "line": draft.line,
                                                "diff": diff_lines(text, draft.text, "当前文件", "草稿")})


def _draft(text: str, change: str, tag: str, word: str) -> Draft:
    """The draft, refused where the file does not validate now or would not after the edit."""
    if change not in DRAFTS:
        raise BadInput("change", "改法（change）只能是 add（加词）或 remove（去掉词）")
    if not tag or len(tag) > MAX_TAG:
        raise BadInput("tag", f"标签（tag）不能为空，也不能超过 {MAX_TAG} 个字")
    base = current_runtime().config.bot.tag_rules_path.parent
    rules, problems = check_tag_rules(text, base)
    if rules is None:
        raise DraftRefused(f"规则文件现在校验不通过，不能自动修改：先在下面把它改好（{_said(problems)}）")
    draft = DRAFTS[change](text, tag, word)
    if change == "add" and any(rule.tag == tag and word.strip() in rule.keywords for rule in rules.keyword_rules):
        raise DraftRefused(f"「{word.strip()}」已经是「{tag}」的关键词了（由词表或概念组带来），不用再加")
    edited, problems = check_tag_rules(draft.text, base)
    if edited is None:
        raise DraftRefused(f"改后的规则校验不通过，没有生成草稿：{_said(problems)}")
    return draft


def _said(problems: list[Problem]) -> str:
    """The first few problems in one Chinese line."""
    return "；".join(p["message"] for p in in_chinese([asdict(p) for p in problems[:3]]))


@lru_cache(maxsize=4)
def _tagger_for_text(text: str, base: Path) -> KeywordTagger | None:
    """A tagger for edited, unsaved rules (a few kept: typing the sentence again costs nothing)."""
    rules, _ = check_tag_rules(text, base)
    return KeywordTagger(rules) if rules is not None else None


@bp.post("/rules/try")
@requires("admin", "operator")
def rules_try() -> Response | tuple[Response, int]:
    """试一试: which tags a sentence gets under the edited rules, and why."""
    text, sentence = _source(), request.form.get("sentence", "").strip()[:MAX_SENTENCE]
    if not sentence:
        problem = {"line": None, "key": "sentence", "message": "请输入一句客户可能说的话"}
        return jsonify(ok=False, problems=[problem]), 400
    base = current_runtime().config.bot.tag_rules_path.parent  # where the rules' [model] file lives
    rules, problems = check_tag_rules(text, base)
    if rules is None:
        return jsonify(ok=False, problems=in_chinese([asdict(p) for p in problems]))
    tagger = _running_tagger(rules) or _tagger_for_text(text, base)
    assert tagger is not None
    result = explain(tagger, sentence)
    return jsonify(ok=True, problems=[], read_as=result.read_as,
                   tags=[{"tag": m.tag, "rule": m.rule, "matched": list(m.matched), "clause": m.clause}
                         for m in result.tags],
                   decisions=[asdict(d) for d in result.decisions],
                   clauses=[asdict(c) for c in result.clauses])


@bp.post("/rules/replay")
@requires("admin", "operator")
def rules_replay() -> Response:
    """改动预览: the customers' latest messages tagged by the edited rules and by the running ones; with labels
    (标注), both scored on them and the labelled messages the edit fixes and breaks."""
    text = _source()
    base = current_runtime().config.bot.tag_rules_path.parent
    rules, problems = check_tag_rules(text, base)
    if rules is None:
        return jsonify(ok=False, problems=in_chinese([asdict(p) for p in problems]))
    edited = _running_tagger(rules) or _tagger_for_text(text, base)
    assert edited is not None
    tagging = current_runtime().features.get("tagging")
    running = tagging.store.current()[1] if tagging is not None else NO_TAGS  # no tagging: nothing is tagged
    with current_runtime().db.read_session() as session:
        texts, gold = latest_texts(session), labelled(session)
    result = replay(texts, running, edited, listed_words(rules))
    return jsonify(ok=True, problems=[], messages=result.messages, changed=result.changed,
                   untagged=result.untagged, shifts=[asdict(shift) for shift in result.shifts],
                   changes=[{**said_json(change.said), "before": change.before, "after": change.after,
                             "gained": change.gained, "lost": change.lost} for change in result.changes],
                   untagged_examples=[said_json(said) for said in result.untagged_examples],
                   suggestions=[{"word": s.word, "messages": s.messages, "example": s.examples[0]}
                                for s in result.suggestions],
                   labels=comparison_json(compare(gold, running, edited)) if gold else None)


def _running_tagger(rules: RuleSet) -> KeywordTagger | None:
    tagging = current_runtime().features.get("tagging")
    if tagging is None:
        return None
    running, tagger = tagging.store.current()
    return tagger if running.version == rules.version else None
