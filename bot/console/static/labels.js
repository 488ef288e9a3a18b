// 标注: per message, toggle the tags it should get (the running rules' tags to start with), add a missed
// one, and save (「正确」 when unchanged); the figures above are redrawn from the server's answer.
(function () {
  "use strict";
  var box = document.getElementById("label-box");
  if (!box) return;
  var csrf = box.dataset.csrf;
  var scores = document.getElementById("label-scores");

  function chosen(row) {
    return Array.prototype.map.call(row.querySelectorAll(".chip-toggle.on"), function (b) { return b.dataset.tag; }).sort();
  }

  function listed(text) { return text ? text.split("\n").sort() : []; }

  function same(a, b) { return a.length === b.length && a.every(function (t, i) { return t === b[i]; }); }

  // The button says what a click does: keep the rules' tags (正确), save a correction, or nothing (已保存).
  function refresh(row) {
    var now = chosen(row), button = row.querySelector(".save");
    var stored = row.classList.contains("labelled") && same(now, listed(row.dataset.saved));
    button.textContent = stored ? "已保存" : same(now, listed(row.dataset.given)) ? "正确" : "保存更正";
    button.className = "small save" + (stored ? "" : " primary");
    row.querySelector(".none-chosen").hidden = now.length > 0;
    Array.prototype.forEach.call(row.querySelectorAll(".add-tag option"), function (o) {
      o.hidden = o.value !== "" && now.indexOf(o.value) >= 0;
    });
  }

  function chip(tag) {
    var b = document.createElement("button");
    b.type = "button"; b.className = "chip-toggle on"; b.dataset.tag = tag; b.textContent = tag;
    return b;
  }

  function send(row, url, body) {
    var status = row.querySelector(".status");
    return fetch(url, { method: "POST", credentials: "same-origin", body: body,
                        headers: { "X-CSRFToken": csrf, "Content-Type": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (result) {
        if (!result.ok) { status.textContent = result.error; status.className = "badge status-failed status"; return null; }
        scores.innerHTML = result.scores_html;
        return result;
      })
      .catch(function () { status.textContent = "没有保存（网络）"; status.className = "badge status-failed status"; });
  }

  box.addEventListener("click", function (event) {
    var target = event.target, row = target.closest("tr[data-message-id]");
    if (!row) return;
    if (target.classList.contains("chip-toggle")) {
      target.classList.toggle("on"); target.classList.toggle("off");
      refresh(row);
    } else if (target.classList.contains("save")) {
      send(row, row.dataset.save, JSON.stringify({ tags: chosen(row) })).then(function (result) {
        if (!result) return;
        Array.prototype.forEach.call(row.querySelectorAll(".chip-toggle.off"), function (b) { b.remove(); });
        row.className = "labelled";
        row.dataset.saved = result.tags.join("\n");
        var status = row.querySelector(".status");
        status.textContent = "已标注 · 刚保存"; status.className = "badge stage-active status";
        row.querySelector(".undo").hidden = false;
        refresh(row);
      });
    } else if (target.classList.contains("undo")) {
      send(row, row.dataset.delete, "{}").then(function (result) {
        if (!result) return;
        row.className = "unlabelled";
        var status = row.querySelector(".status");
        status.textContent = "未标注"; status.className = "badge status";
        target.hidden = true;
        refresh(row);
      });
    }
  });

  box.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.classList.contains("add-tag") || !select.value) return;
    var row = select.closest("tr[data-message-id]");
    var existing = row.querySelector(".chip-toggle[data-tag='" + CSS.escape(select.value) + "']");
    if (existing) { existing.classList.add("on"); existing.classList.remove("off"); }
    else row.querySelector(".chosen").appendChild(chip(select.value));
    select.value = "";
    refresh(row);
  });

  Array.prototype.forEach.call(box.querySelectorAll("tr[data-message-id]"), refresh);
})();
