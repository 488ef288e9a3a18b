// The 标签规则 / 话术库 editor: live validation by the server's validator on every pause in typing,
// problems that jump to their line, 试一试: the edited (unsaved) rules tag a sentence and say why, and
// 改动预览: the edited rules over the customers' latest messages, against the running ones.
(function () {
  "use strict";
  var source = document.getElementById("source");
  var status = document.getElementById("live-status");
  var list = document.getElementById("live-problems");
  var csrf = document.querySelector("#editor-form input[name=csrf_token]").value;
  var timer = null;

  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }

  function post(url, fields) {
    var body = new URLSearchParams(fields);
    body.set("csrf_token", csrf);
    return fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrf } })
      .then(function (r) { return r.json(); });
  }

  function scrollToLine(line) {
    var height = source.scrollHeight / Math.max(source.value.split("\n").length, 1);
    source.scrollTop = Math.max(0, (line - 5) * height);
  }

  function jumpTo(line) {
    var lines = source.value.split("\n"), start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    source.focus();
    source.setSelectionRange(start, start + (lines[line - 1] || "").length);
    scrollToLine(line);
  }

  var draft = document.getElementById("draft-box");  // a draft from 标注's advice: its line in view, the page not moved
  if (draft) scrollToLine(parseInt(draft.dataset.line, 10));

  function problemItem(p) {
    var li = el("li");
    if (p.line) {
      var a = el("a", "jump", "第 " + p.line + " 行");
      a.href = "#"; a.dataset.line = p.line;
      li.appendChild(a); li.appendChild(document.createTextNode(" "));
    }
    if (p.key) { li.appendChild(el("code", "", p.key)); li.appendChild(document.createTextNode("：")); }
    li.appendChild(document.createTextNode(p.message));
    return li;
  }

  function showProblems(out, lead, problems) {
    out.appendChild(el("p", "bad", lead));
    var ul = el("ul", "problems"); problems.forEach(function (p) { ul.appendChild(problemItem(p)); }); out.appendChild(ul);
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.classList && target.classList.contains("jump")) { event.preventDefault(); jumpTo(parseInt(target.dataset.line, 10)); }
  });

  function check() {
    post(source.dataset.validate, { source: source.value }).then(function (result) {
      list.innerHTML = "";
      status.textContent = result.ok ? "校验通过" : "有错误（" + result.problems.length + "）";
      status.className = result.ok ? "ok" : "bad";
      result.problems.forEach(function (p) { list.appendChild(problemItem(p)); });
      var refused = document.getElementById("save-errors");
      if (refused && result.ok && !refused.classList.contains("resolved")) {
        refused.classList.add("resolved");
        refused.insertBefore(el("p", "", "编辑器里的内容已经改好，还没有保存：点「保存并生效」。"), refused.firstChild);
      }
    }).catch(function () { status.textContent = "无法校验（网络）"; status.className = "bad"; });
  }

  source.addEventListener("input", function () { clearTimeout(timer); status.textContent = "校验中…"; status.className = ""; timer = setTimeout(check, 400); });
  check();

  var replayForm = document.getElementById("replay-form");
  if (replayForm) {
    var replayOut = document.getElementById("replay-result");
    replayForm.addEventListener("submit", function (event) {
      event.preventDefault();
      replayOut.innerHTML = ""; replayOut.appendChild(el("p", "hint", "重新打标签中…"));
      post(replayForm.dataset.url, { source: source.value }).then(function (result) { showReplay(replayOut, result); })
        .catch(function () { replayOut.innerHTML = ""; replayOut.appendChild(el("p", "bad", "无法预览（网络）")); });
    });
    if (replayForm.dataset.autorun) replayForm.requestSubmit();  // a draft from 标注's advice: preview it at once
  }

  function tagChips(tags, cls) {
    var span = el("span");
    tags.forEach(function (t) { span.appendChild(el("span", "tag " + cls, (cls === "gained" ? "+" : "−") + t)); });
    return span;
  }

  function saidCell(m) {
    var td = el("td");
    td.appendChild(el("div", "", m.text));
    var who = el("div", "detail");
    if (m.customer_url) { var a = el("a", "", m.customer || "客户"); a.href = m.customer_url; who.appendChild(a); }
    else who.appendChild(document.createTextNode(m.customer || "客户"));
    who.appendChild(document.createTextNode(" · " + m.at));
    td.appendChild(who);
    return td;
  }

  function showReplay(out, result) {
    out.innerHTML = "";
    if (!result.ok) {
      showProblems(out, "编辑器里的规则有错误，先改好再预览：", result.problems);
      return;
    }
    if (!result.messages) { out.appendChild(el("p", "hint", "还没有客户消息可以预览。")); return; }
    out.appendChild(el("p", "replay-summary", "最近 " + result.messages + " 条客户消息：" +
      (result.changed ? result.changed + " 条的标签会变" : "标签都不会变") + "；" + result.untagged + " 条没有任何标签。"));
    if (result.labels) showLabelled(out, result.labels);
    var moved = result.shifts.filter(function (s) { return s.gained || s.lost; });
    if (moved.length) {
      var table = el("table", "grid compact"); table.id = "replay-shifts";
      var head = el("tr"); ["标签", "现在", "改后", "多打", "少打"].forEach(function (h, i) { head.appendChild(el("th", i ? "num" : "", h)); });
      var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
      var body = el("tbody");
      moved.forEach(function (s) {
        var tr = el("tr");
        var name = el("td"); name.appendChild(el("span", "tag", s.tag)); tr.appendChild(name);
        [s.before, s.after, s.gained ? "+" + s.gained : "", s.lost ? "−" + s.lost : ""].forEach(function (v) { tr.appendChild(el("td", "num", String(v))); });
        body.appendChild(tr);
      });
      table.appendChild(body); out.appendChild(table);
    }
    if (result.changes.length) {
      out.appendChild(el("h3", "", "会变的消息" + (result.changed > result.changes.length ? "（最新 " + result.changes.length + " 条）" : "")));
      var changes = el("table", "grid compact"); changes.id = "replay-changes";
      var cbody = el("tbody");
      result.changes.forEach(function (c) {
        var tr = el("tr"); tr.appendChild(saidCell(c));
        var td = el("td", "nowrap"); td.appendChild(tagChips(c.gained, "gained")); td.appendChild(tagChips(c.lost, "lost")); tr.appendChild(td);
        cbody.appendChild(tr);
      });
      changes.appendChild(cbody); out.appendChild(changes);
    }
    if (result.suggestions.length) {
      var words = el("div", "replay-words"); words.id = "replay-words";
      words.appendChild(el("span", "label", "没打上标签的消息里常说、规则还没列的词："));
      result.suggestions.forEach(function (s) {
        var chip = el("span", "chip", s.word + " ×" + s.messages);
        chip.title = "例：" + s.example;
        words.appendChild(chip);
      });
      out.appendChild(words);
    }
    if (result.untagged_examples.length) {
      var details = el("details"); details.id = "replay-untagged";
      details.appendChild(el("summary", "", "没有任何标签的消息（最新 " + result.untagged_examples.length + " 条，共 " + result.untagged + " 条）"));
      var untagged = el("table", "grid compact"); var ubody = el("tbody");
      result.untagged_examples.forEach(function (m) { var tr = el("tr"); tr.appendChild(saidCell(m)); ubody.appendChild(tr); });
      untagged.appendChild(ubody); details.appendChild(untagged); out.appendChild(details);
    }
  }

  function rate(value) { return value === null ? "—" : (value * 100).toFixed(1) + "%"; }

  function wrongChips(d) {
    var td = el("td", "nowrap");
    d.wrong.forEach(function (t) { td.appendChild(el("span", "tag wrong", "多打 " + t)); });
    d.missed.forEach(function (t) { td.appendChild(el("span", "tag missed", "漏打 " + t)); });
    return td;
  }

  // The edit scored on the operator's labels (标注) against the running rules: figures and the messages it
  // fixes (what was wrong) and breaks (what goes wrong).
  function showLabelled(out, labels) {
    var box = el("div", "replay-labels"); box.id = "replay-labels";
    var figures = [["精确率", "precision"], ["召回率", "recall"], ["F1", "f1"]].map(function (f) {
      return f[0] + " " + rate(labels.before[f[1]]) + " → " + rate(labels.after[f[1]]);
    });
    box.appendChild(el("p", "replay-label-summary", "已标注的 " + labels.messages + " 条：" + figures.join("，") +
      "；修正 " + labels.fixed_count + " 条，改错 " + labels.broken_count + " 条"));
    [["fixed", "改后变对的标注消息（原来错在）"], ["broken", "改后变错的标注消息（错在）"]].forEach(function (part) {
      if (!labels[part[0]].length) return;
      box.appendChild(el("h3", "", part[1]));
      var table = el("table", "grid compact"); table.id = "replay-labels-" + part[0];
      var body = el("tbody");
      labels[part[0]].forEach(function (d) { var tr = el("tr"); tr.appendChild(saidCell(d)); tr.appendChild(wrongChips(d)); body.appendChild(tr); });
      table.appendChild(body); box.appendChild(table);
    });
    out.appendChild(box);
  }

  var form = document.getElementById("try-form");
  if (!form) return;
  var out = document.getElementById("try-result");

  function showTry(result) {
    out.innerHTML = "";
    if (!result.ok) {
      showProblems(out, "编辑器里的规则有错误，先改好再试：", result.problems);
      return;
    }
    var tags = el("div", "try-tags");
    tags.appendChild(el("span", "label", "得到标签："));
    if (!result.tags.length) tags.appendChild(el("span", "hint", "无"));
    result.tags.forEach(function (t) { tags.appendChild(el("span", "chip", t.tag)); });
    out.appendChild(tags);
    if (result.decisions.length) {
      var box = el("ol", "decisions");
      box.id = "try-decisions";
      result.decisions.forEach(function (d) {
        var item = el("li", d.counted ? "counted" : "not-counted");
        var head = el("div", "head");
        head.appendChild(el("strong", d.counted ? "yes" : "no", d.counted ? "✓ 计入" : "✗ 不计"));
        head.appendChild(el("span", d.counted ? "tag" : "tag off", d.tag));
        head.appendChild(el("span", "", (d.by_model ? "模型依据「" : "命中「") + d.keyword + "」，分句「" + d.clause + "」"));
        item.appendChild(head);
        item.appendChild(el("div", "why", d.why + "　· 规则 " + d.rule));
        box.appendChild(item);
      });
      out.appendChild(box);
    } else {
      out.appendChild(el("p", "hint", "这句话里没有任何规则的关键词。"));
    }
    var clauses = el("p", "detail");
    clauses.textContent = "分句与语气：" + result.clauses.map(function (c) {
      return "「" + c.text + "」" + (c.moods.length ? c.moods.join("、") : "陈述");
    }).join("　") + (result.read_as ? "　· 机器读作「" + result.read_as + "」" : "");
    out.appendChild(clauses);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var sentence = document.getElementById("try-sentence").value;
    out.innerHTML = ""; out.appendChild(el("p", "hint", "分析中…"));
    post(form.dataset.url, { source: source.value, sentence: sentence }).then(showTry)
      .catch(function () { out.innerHTML = ""; out.appendChild(el("p", "bad", "无法分析（网络）")); });
  });
})();
