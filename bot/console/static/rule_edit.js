// The 标签规则 / 话术库 editor: live validation by the server's validator on every pause in typing,
// problems that jump to their line, and 试一试: the edited (unsaved) rules tag a sentence and say why.
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

  function jumpTo(line) {
    var lines = source.value.split("\n"), start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    source.focus();
    source.setSelectionRange(start, start + (lines[line - 1] || "").length);
    var height = source.scrollHeight / Math.max(lines.length, 1);
    source.scrollTop = Math.max(0, (line - 5) * height);
  }

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

  var form = document.getElementById("try-form");
  if (!form) return;
  var out = document.getElementById("try-result");

  function showTry(result) {
    out.innerHTML = "";
    if (!result.ok) {
      out.appendChild(el("p", "bad", "编辑器里的规则有错误，先改好再试："));
      var ul = el("ul", "problems"); result.problems.forEach(function (p) { ul.appendChild(problemItem(p)); }); out.appendChild(ul);
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
