"""标注: operators label their customers' messages with the tags they should get, and see how right the
running rules are on them (precision, recall, F1, per tag, the messages they get wrong); JSONL export."""

from __future__ import annotations

from flask import Response, jsonify, render_template, request, stream_with_context, url_for

from bot.console.views.base import audit, bp, localtime, page_number, requires, viewer
from bot.labels.advice import TagAdvice, advise, rule_keywords
from bot.labels.scores import (NO_TAGS, Comparison, Disagreement, Scores, Tagger, given_tags, score, score_tagged,
                               tag_all)
from bot.labels.store import (POOL, LabelError, Said, UnknownMessage, count_to_label, delete_label, export_lines,
                              labelled, save_label, to_label)
from bot.tagging.candidates import listed_words
from bot.web import current_runtime

PAGE_SIZE = 50
DISAGREEMENTS = 50  # listed under the figures, newest first
MAX_TAGS = 50


def running() -> tuple[Tagger, tuple[str, ...]]:
    """The running tagger and every tag its keyword rules give (what a message can be labelled with)."""
    tagging = current_runtime().features.get("tagging")
    if tagging is None:
        return NO_TAGS, ()
    rules, tagger = tagging.store.current()
    return tagger, tuple(sorted({rule.tag for rule in rules.keyword_rules}))


def said_json(said: Said) -> dict[str, object]:
    return {"message_id": said.message_id, "text": said.text, "customer": said.customer,
            "customer_url": url_for("console.customer_detail", customer_id=said.customer_id), "at": localtime(said.at)}


def disagreement_json(disagreement: Disagreement) -> dict[str, object]:
    return {**said_json(disagreement.said), "label": list(disagreement.said.tags or ()),
            "given": list(disagreement.given), "wrong": list(disagreement.wrong), "missed": list(disagreement.missed)}


def comparison_json(comparison: Comparison, examples: int = DISAGREEMENTS) -> dict[str, object]:
    """改动预览's part on the labelled messages: the figures before and after, what the edit fixes and breaks."""
    return {"messages": comparison.before.messages, "before": comparison.before.total.figures(),
            "after": comparison.after.total.figures(), "fixed_count": len(comparison.fixed),
            "broken_count": len(comparison.broken),
            "fixed": [disagreement_json(d) for d in comparison.fixed[:examples]],
            "broken": [disagreement_json(d) for d in comparison.broken[:examples]]}


def _review() -> tuple[Scores, tuple[TagAdvice, ...]]:
    """The running rules scored on the labels, and what the labels say to change in them, tag by tag."""
    tagging = current_runtime().features.get("tagging")
    with current_runtime().db.read_session() as session:
        gold = labelled(session)
    if tagging is None:
        return score(gold, NO_TAGS), ()
    rules, tagger = tagging.store.current()
    tagged = tag_all(gold, tagger)
    return score_tagged(tagged), advise(tagged, tagger, listed_words(rules), rule_keywords(rules))


def _scores_html() -> str:
    scores, advice = _review()
    return render_template("console/_label_scores.html", scores=scores, shown=scores.disagreements[:DISAGREEMENTS],
                           advice=advice)


@bp.get("/labels")
@requires("admin", "operator")
def labels() -> str:
    tagger, tags = running()
    page = page_number()
    with current_runtime().db.read_session() as session:
        total = count_to_label(session)
        rows = [(said, given_tags(tagger, said.text))
                for said in to_label(session, PAGE_SIZE, (page - 1) * PAGE_SIZE)]
    return render_template("console/labels.html", rows=rows, tags=tags, total=total, page=page, page_size=PAGE_SIZE,
                           pool=POOL, scores_html=_scores_html())


def _bad(message: str, status: int = 400) -> tuple[Response, int]:
    return jsonify(ok=False, error=message), status


@bp.post("/labels/<int:message_id>")
@requires("admin", "operator")
def label_save(message_id: int) -> Response | tuple[Response, int]:
    """Save a message's label: a JSON body `{"tags": [...]}`, every tag one the running rules give."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("tags"), list) \
            or not all(isinstance(tag, str) for tag in body["tags"]) or len(body["tags"]) > MAX_TAGS:
        return _bad('请求要是 JSON：{"tags": ["标签", …]}')
    _, known = running()
    runtime = current_runtime()
    try:
        with runtime.db.session() as session:
            label = save_label(session, message_id, body["tags"], known, viewer().username, runtime.clock.now())
            audit(session, "label_save", f"message:{message_id}", {"tags": label.tags})
            tags = list(label.tags)
    except LabelError as refused:
        return _bad(str(refused), 404 if isinstance(refused, UnknownMessage) else 400)
    return jsonify(ok=True, message_id=message_id, tags=tags, scores_html=_scores_html())


@bp.post("/labels/<int:message_id>/delete")
@requires("admin", "operator")
def label_delete(message_id: int) -> Response | tuple[Response, int]:
    with current_runtime().db.session() as session:
        if not delete_label(session, message_id):
            return _bad(f"这条消息没有标注（id {message_id}）", 404)
        audit(session, "label_delete", f"message:{message_id}")
    return jsonify(ok=True, message_id=message_id, scores_html=_scores_html())


@bp.get("/labels.jsonl")
@requires("admin", "operator")
def labels_export() -> Response:
    """Every labelled message as `{"text", "tags"}` a line: the format bench/tagging.py reads."""
    runtime = current_runtime()
    with runtime.db.session() as session:
        audit(session, "export", "labels")

    def generate():  # type: ignore[no-untyped-def]
        with runtime.db.read_session() as session:
            yield from export_lines(session)

    return Response(stream_with_context(generate()), mimetype="application/jsonl",
                    headers={"Content-Disposition": "attachment; filename=labels.jsonl"})
