// 概览 charts: reads the figures the server embedded as JSON and draws them with ECharts.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  // A channel code by its name in 渠道活码; a state no code has (deleted, or made elsewhere) as itself.
  function codeName(state) { return (data.channel_names || {})[state] || state; }
  var palette = ["#0f7b6c", "#3538cd", "#f79009", "#7a5af8", "#ee46bc", "#667085", "#12b76a"];
  var charts = {};

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    option.color = option.color || palette;
    option.animation = false;
    chart.setOption(option);
    charts[id] = chart;
  }
  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%"; }
  function entries(obj) { return Object.keys(obj).map(function (k) { return [k, obj[k]]; }); }
  var days = Object.keys(data.new_by_day);
  var grid = { left: 48, right: 16, top: 36, bottom: 32 };

  draw("chart-stage", {
    tooltip: { trigger: "item" },
    legend: { top: 0 },
    grid: { left: "58%", right: 16, top: 40, bottom: 24 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: Object.keys(data.tiers), inverse: true },
    series: [
      // Names are in the legend and counts in the tooltip: outside labels ran into the bars.
      { name: "阶段", type: "pie", radius: ["30%", "58%"], center: ["26%", "56%"], label: { show: false },
        data: entries(data.stages).map(function (e) { return { name: e[0], value: e[1] }; }) },
      { name: "价值分层", type: "bar", data: Object.values(data.tiers), barWidth: 18, itemStyle: { color: "#667085" },
        label: { show: true, position: "right" } }
    ]
  });
  draw("chart-new", {
    tooltip: { trigger: "axis" }, grid: grid,
    xAxis: { type: "category", data: days },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: "新增客户", type: "line", smooth: true, areaStyle: { opacity: 0.15 }, data: Object.values(data.new_by_day) }]
  });
  draw("chart-channel", {
    tooltip: { trigger: "axis" }, grid: { left: 110, right: 24, top: 16, bottom: 24 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: Object.keys(data.new_by_channel).map(codeName).reverse() },
    series: [{ name: "新增客户", type: "bar", data: Object.values(data.new_by_channel).reverse(), barMaxWidth: 22 }]
  });
  draw("chart-messages", {
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: grid,
    xAxis: { type: "category", data: days },
    yAxis: [{ type: "value", minInterval: 1, name: "消息" }, { type: "value", minInterval: 1, name: "日活" }],
    series: [
      { name: "收", type: "bar", stack: "m", data: days.map(function (d) { return data.messages[d].in; }) },
      { name: "发", type: "bar", stack: "m", data: days.map(function (d) { return data.messages[d].out; }) },
      { name: "日活", type: "line", yAxisIndex: 1, data: days.map(function (d) { return data.dau[d]; }) }
    ]
  });
  var weeks = data.retention.map(function (c) { return c.week + "（" + c.size + " 人）"; });
  var cells = [];
  data.retention.forEach(function (c, y) {
    data.retention_days.forEach(function (n, x) {
      var d = c.days[String(n)];
      cells.push({ value: [x, y, d.rate === null ? "-" : Math.round(d.rate * 1000) / 10], retained: d.retained, eligible: d.eligible });
    });
  });
  draw("chart-retention", {
    tooltip: { formatter: function (p) { return weeks[p.value[1]] + " 第 " + data.retention_days[p.value[0]] + " 天：" +
      (p.value[2] === "-" ? "尚未满 N 天" : p.value[2] + "%（" + p.data.retained + "/" + p.data.eligible + "）"); } },
    grid: { left: 130, right: 16, top: 16, bottom: 56 },
    xAxis: { type: "category", data: data.retention_days.map(function (n) { return "第 " + n + " 天"; }) },
    yAxis: { type: "category", data: weeks, inverse: true },
    visualMap: { min: 0, max: 100, calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120,
                 inRange: { color: ["#f0f9f7", "#0f7b6c"] }, text: ["100%", "0%"] },
    series: [{ type: "heatmap", data: cells, label: { show: true, formatter: function (p) { return p.value[2] === "-" ? "" : p.value[2] + "%"; } } }]
  });
  // Every channel's name under its bar, wrapped, instead of ECharts dropping every other one.
  var names = { interval: 0, width: 64, overflow: "break", lineHeight: 14 };
  var namesGrid = { left: 48, right: 16, top: 36, bottom: 46 };
  draw("chart-response", {
    tooltip: { trigger: "axis", formatter: function (ps) { var r = data.response[ps[0].dataIndex];
      return r.label + "：" + pct(r.rate) + "（" + r.responded + "/" + r.sent + "）"; } },
    grid: namesGrid,
    xAxis: { type: "category", data: data.response.map(function (r) { return r.label; }), axisLabel: names },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{ name: "回应率", type: "bar", barMaxWidth: 36, label: { show: true, position: "top", formatter: function (p) { return p.value + "%"; } },
               data: data.response.map(function (r) { return r.rate === null ? 0 : Math.round(r.rate * 1000) / 10; }) }]
  });
  function ltv(id, rows, key, label) {
    label = label || function (v) { return v; };
    draw(id, {
      tooltip: { trigger: "axis", formatter: function (ps) { var r = rows[ps[0].dataIndex];
        return label(r[key]) + "：¥" + r.ltv.toFixed(2) + "（" + r.customers + " 人，合计 ¥" + r.revenue.toFixed(2) + "）"; } },
      grid: key === "channel" ? namesGrid : grid,
      xAxis: { type: "category", data: rows.map(function (r) { return label(r[key]); }), axisLabel: key === "channel" ? names : {} },
      yAxis: { type: "value", axisLabel: { formatter: "¥{value}" } },
      series: [{ name: "LTV", type: "bar", barMaxWidth: 36, data: rows.map(function (r) { return Math.round(r.ltv * 100) / 100; }) }]
    });
  }
  ltv("chart-ltv-cohort", data.ltv_cohort, "cohort");
  ltv("chart-ltv-channel", data.ltv_channel, "channel", codeName);
  window.siyuCharts = charts;
  window.addEventListener("resize", function () { Object.values(charts).forEach(function (c) { c.resize(); }); });
})();
