// The playbook editor: validates the TOML on every pause in typing with the server's validator
// (the one `siyu playbook check` uses) and redraws the form view from the parsed playbook.
(function () {
  "use strict";
  var source = document.getElementById("source");
  var status = document.getElementById("live-status");
  var list = document.getElementById("live-problems");
  var view = document.getElementById("form-view");
  var csrf = document.querySelector("#editor-form input[name=csrf_token]").value;
  var timer = null;

  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  function row(dl, label, value) { dl.appendChild(el("dt", "", label)); dl.appendChild(el("dd", "", value || "—")); }

  function drawSummary(s) {
    if (!s) return;
    view.innerHTML = "";
    var dl = el("dl", "facts");
    row(dl, "名称", s.name);
    row(dl, "状态", s.enabled ? "启用" : "停用");
    row(dl, "触发", s.trigger.kind + (s.trigger.detail ? "（" + s.trigger.detail + "）" : ""));
    row(dl, "人群条件", s.audience.when);
    row(dl, "重复进入", { never: "只进入一次", after_exit: "退出后可再进入", always: "每次触发都进入" }[s.audience.reentry]);
    view.appendChild(dl);
    s.steps.forEach(function (step, i) {
      var box = el("div", "step");
      var timing = step.before ? step.of + " 前 " + step.before : "触发后 " + (step.after || "0m");
      if (step.at) timing += "，" + step.at + " 发送";
      box.appendChild(el("h3", "", (i + 1) + ". " + step.id));
      box.appendChild(el("div", "detail", timing + " · 渠道 " + step.channels.join(" → ") +
        (step.variants.length ? " · A/B " + step.variants.join(" / ") : "") + (step.holdout ? " · 对照组 " + step.holdout : "")));
      if (step.text) box.appendChild(el("p", "text", step.text.trim()));
      view.appendChild(box);
    });
  }

  function show(result) {
    list.innerHTML = "";
    status.textContent = result.ok ? "校验通过" : "有错误";
    status.className = result.ok ? "ok" : "bad";
    result.problems.forEach(function (p) {
      list.appendChild(el("li", "", (p.line ? "第 " + p.line + " 行 " : "") + (p.path ? p.path + "：" : "") + p.message));
    });
    if (result.ok) drawSummary(result.summary);
    view.classList.toggle("stale", !result.ok);
  }

  function check() {
    var body = new URLSearchParams({ source: source.value, id: source.dataset.id, csrf_token: csrf });
    fetch(source.dataset.validate, { method: "POST", body: body, credentials: "same-origin",
                                     headers: { "X-CSRFToken": csrf } })
      .then(function (r) { return r.json(); }).then(show)
      .catch(function () { status.textContent = "无法校验（网络）"; status.className = "bad"; });
  }

  drawSummary(JSON.parse(view.dataset.summary));
  source.addEventListener("input", function () { clearTimeout(timer); status.textContent = "校验中…"; timer = setTimeout(check, 400); });
  check();
})();
