// Stand-in for WeCom's JS-SDK (jweixin-1.2.0.js + jwxwork), served by the WeChat simulator.
// Inside the simulator's guide chat window, every call is answered by that window: it checks the
// wx.config / wx.agentConfig signatures against the tickets the simulator issued, knows which
// customer the chat is with, and puts sendChatMessage texts into the chat transcript.
(function () {
  "use strict";
  var host = window.parent !== window ? window.parent : null;
  var pending = {}, seq = 0, readyQueue = [], errorQueue = [], configured = null;

  function ask(api, args, done) {
    if (!host) {
      done({ err_msg: api + ":fail not inside a WeCom chat (open the sidebar from the simulator's guide chat window)" });
      return;
    }
    var id = ++seq;
    pending[id] = done;
    host.postMessage({ siyuWx: true, id: id, api: api, args: args || {}, url: location.href.split("#")[0] }, "*");
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || !data.siyuWxReply || !pending[data.id]) return;
    var done = pending[data.id];
    delete pending[data.id];
    done(data.result);
  });

  window.wx = {
    config: function (cfg) {
      ask("config", cfg, function (res) {
        configured = res.err_msg === "config:ok" ? "ok" : "fail";
        var queue = configured === "ok" ? readyQueue : errorQueue;
        queue.splice(0).forEach(function (fn) { fn({ errMsg: res.err_msg }); });
      });
    },
    ready: function (fn) { if (configured === "ok") fn(); else readyQueue.push(fn); },
    error: function (fn) { if (configured === "fail") fn({ errMsg: "config:fail" }); else errorQueue.push(fn); },
    agentConfig: function (cfg) {
      var args = { corpid: cfg.corpid, agentid: cfg.agentid, timestamp: cfg.timestamp, nonceStr: cfg.nonceStr,
                   signature: cfg.signature, jsApiList: cfg.jsApiList };
      ask("agentConfig", args, function (res) {
        if (res.err_msg === "agentConfig:ok") { if (cfg.success) cfg.success(res); }
        else if (cfg.fail) cfg.fail(res);
      });
    },
    invoke: function (api, args, done) { ask(api, args, done || function () {}); }
  };
})();
