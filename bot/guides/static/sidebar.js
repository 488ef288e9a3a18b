// 思域助手 chat sidebar: identify the customer of the open chat through the JS-SDK, then show
// their profile and let the guide act. Every failure is said in words, with what to check.
(function () {
  "use strict";
  var API = "api/";
  var APIS = ["getContext", "getCurExternalContact", "sendChatMessage"];
  var state = { customer: null };

  function $(id) { return document.getElementById(id); }
  function status(text, isError) {
    var box = $("status");
    box.textContent = text || "";
    box.className = "status" + (isError ? " error" : "");
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function when(iso) { return iso ? iso.slice(5, 16).replace("T", " ") : ""; }

  function call(method, path, body) {
    return fetch(API + path, {
      method: method, credentials: "same-origin",
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.message || ("请求失败（HTTP " + response.status + "）"));
        return data;
      });
    });
  }

  // --- JS-SDK ----------------------------------------------------------------------------------
  function start() {
    if (!window.wx) {
      status("企业微信 JS-SDK 没有加载：请检查配置 [wecom] jssdk_url，以及本页面是否在应用的可信域名下。", true);
      return;
    }
    var url = location.href.split("#")[0];
    call("GET", "jsconfig?url=" + encodeURIComponent(url)).then(function (cfg) {
      wx.error(function (res) {
        status("wx.config 签名校验失败（" + (res && res.errMsg || "") + "）：签名用的 URL 必须是当前页面地址，"
          + "且用企业的 jsapi_ticket 签名；也请确认本页面在可信域名下。", true);
      });
      wx.ready(function () {
        wx.agentConfig({
          corpid: cfg.corpId, agentid: cfg.agentId, timestamp: cfg.timestamp, nonceStr: cfg.nonceStr,
          signature: cfg.agentSignature, jsApiList: APIS,
          success: identify,
          fail: function (res) {
            status("wx.agentConfig 失败（" + (res && res.err_msg || "") + "）：应用签名要用应用的 ticket"
              + "（ticket/get?type=agent_config），且 agentid 要与应用一致。", true);
          }
        });
      });
      wx.config({ beta: true, debug: false, appId: cfg.corpId, timestamp: cfg.timestamp, nonceStr: cfg.nonceStr,
                  signature: cfg.signature, jsApiList: APIS });
    }).catch(function (error) { status(error.message, true); });
  }

  function identify() {
    wx.invoke("getContext", {}, function (res) {
      if (res.err_msg !== "getContext:ok") {
        status("请在与客户的单聊里打开思域助手（" + res.err_msg + "）。", true);
        return;
      }
      if (res.entry !== "single_chat_tools") {
        status("请在与客户的单聊里打开思域助手（当前入口：" + res.entry + "）。", true);
        return;
      }
      wx.invoke("getCurExternalContact", {}, function (contact) {
        if (contact.err_msg !== "getCurExternalContact:ok") {
          status("没有拿到当前客户（" + contact.err_msg + "）：应用需要「客户联系」权限。", true);
          return;
        }
        load(contact.userId);
      });
    });
  }

  function load(externalUserid) {
    status("正在读取客户资料…");
    call("GET", "customer?external_userid=" + encodeURIComponent(externalUserid))
      .then(render).catch(function (error) { $("app").hidden = true; status(error.message, true); });
  }

  // --- rendering -------------------------------------------------------------------------------
  function render(customer) {
    state.customer = customer;
    status("");
    $("app").hidden = false;
    $("name").textContent = customer.name + "  #" + customer.ref;
    $("meta").textContent = customer.stage_cn + " · 价值" + customer.tier_cn + " · 导购 " + (customer.guide || "无");
    renderTags(customer.tags);
    renderScripts(customer.scripts);
    renderTasks(customer.tasks);
    renderList("journeys", customer.journeys, function (j) {
      var next = j.next_at ? "下一步 " + when(j.next_at) + " " + j.next_step : "没有待发步骤";
      return el("li", "", j.name + (j.status === "paused" ? "（已暂停）" : "") + "：" + next);
    }, "没有进行中的剧本");
    renderList("notes", customer.notes, function (n) { return el("li", "", when(n.at) + " " + n.text); }, "还没有备注");
    renderList("timeline", customer.timeline, function (item) {
      var li = el("li");
      li.appendChild(el("span", "when", when(item.at)));
      li.appendChild(document.createTextNode(item.text));
      return li;
    }, "暂无记录");
  }

  function renderList(id, items, make, emptyText) {
    var list = $(id);
    list.innerHTML = "";
    if (!items.length) { list.appendChild(el("li", "empty", emptyText)); return; }
    items.forEach(function (item) { list.appendChild(make(item)); });
  }

  function renderTags(tags) {
    var box = $("tags");
    box.innerHTML = "";
    if (!tags.length) box.appendChild(el("span", "empty", "还没有标签"));
    tags.forEach(function (tag) {
      var chip = el("span", "chip");
      chip.appendChild(document.createTextNode(tag.name));
      if (tag.reason) chip.appendChild(el("small", "", "（" + tag.reason + "）"));
      if (tag.message) chip.title = "客户说：" + tag.message;
      if (tag.message_id) {  // given by a keyword from a customer message: the guide can say it is wrong
        var wrong = el("button", "wrong", "标错了");
        wrong.type = "button";
        wrong.title = "「" + tag.message + "」不该打 " + tag.name + "：记进标注，并去掉这个标签";
        wrong.onclick = function () { markWrong(tag); };
        chip.appendChild(wrong);
      }
      var remove = el("button", "", "×");
      remove.type = "button";
      remove.title = "去掉标签 " + tag.name;
      remove.setAttribute("aria-label", "去掉标签 " + tag.name);
      remove.onclick = function () { editTags([], [tag.name]); };
      chip.appendChild(remove);
      box.appendChild(chip);
    });
  }

  function renderScripts(scripts) {
    renderList("scripts", scripts, function (script) {
      var li = el("li", "script");
      li.appendChild(el("div", "script-title", "【" + script.category + "】" + script.title));
      li.appendChild(el("div", "script-text", script.text));
      var send = el("button", "", "发送到聊天");
      send.type = "button";
      send.onclick = function () { sendScript(script, send); };
      li.appendChild(send);
      return li;
    }, "话术库里没有适合的话术");
  }

  function renderTasks(tasks) {
    renderList("tasks", tasks, function (task) {
      var li = el("li", "item-row");
      li.appendChild(el("span", "", task.id + ". " + task.text));
      var done = el("button", "secondary", "完成");
      done.type = "button";
      done.onclick = function () {
        call("POST", "tasks/" + task.id + "/done").then(render).catch(function (e) { status(e.message, true); });
      };
      li.appendChild(done);
      return li;
    }, "没有待跟进的任务");
  }

  // --- actions ---------------------------------------------------------------------------------
  function editTags(add, remove) {
    call("POST", "customer/" + state.customer.id + "/tags", { add: add, remove: remove })
      .then(function (customer) { render(customer); status("标签已更新，并同步到企业微信客户标签。"); })
      .catch(function (e) { status(e.message, true); });
  }

  function markWrong(tag) {
    call("POST", "customer/" + state.customer.id + "/tags/wrong", { tag: tag.name })
      .then(function (customer) {
        render(customer);
        status("已记下：「" + tag.message + "」不该打 " + tag.name + "。这条标注会算进标签规则的准确率，标签也已去掉。");
      })
      .catch(function (e) { status(e.message, true); });
  }

  function sendScript(script, button) {
    button.disabled = true;
    wx.invoke("sendChatMessage", { msgtype: "text", enterChat: true, text: { content: script.text } }, function (res) {
      button.disabled = false;
      if (res.err_msg !== "sendChatMessage:ok") {
        status("没有发出（" + res.err_msg + "）：请确认在与客户的单聊中。", true);
        return;
      }
      call("POST", "customer/" + state.customer.id + "/sent", { text: script.text, script_id: script.id })
        .then(function () { status("已发送到聊天：" + script.title); })
        .catch(function (e) { status(e.message, true); });
    });
  }

  $("tag-form").onsubmit = function (event) {
    event.preventDefault();
    var name = $("tag-input").value.trim();
    if (name) { $("tag-input").value = ""; editTags([name], []); }
  };
  $("note-form").onsubmit = function (event) {
    event.preventDefault();
    var text = $("note-input").value.trim();
    if (!text) return;
    call("POST", "customer/" + state.customer.id + "/notes", { text: text })
      .then(function (customer) { $("note-input").value = ""; render(customer); status("备注已保存。"); })
      .catch(function (e) { status(e.message, true); });
  };

  start();
})();
