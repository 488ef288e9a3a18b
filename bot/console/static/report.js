// 剧本效果 charts: the step funnel and the A/B arms with their 95% intervals.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var charts = {};
  function draw(id, option) {
    var chart = echarts.init(document.getElementById(id));
    option.animation = false;
    option.color = ["#f79009", "#0f7b6c", "#b42318", "#ee46bc", "#3538cd"];
    chart.setOption(option);
    charts[id] = chart;
  }
  var steps = data.steps.map(function (s) { return s.step; });
  function series(name, key) { return { name: name, type: "bar", data: data.steps.map(function (s) { return s[key]; }) }; }
  draw("chart-funnel", {
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 48, right: 16, top: 40, bottom: 32 },
    xAxis: { type: "category", data: steps }, yAxis: { type: "value", minInterval: 1 },
    series: [series("待发送", "scheduled"), series("已发送", "sent"), series("失败", "failed"),
             series("点击", "clicked"), series("回复", "replied")]
  });
  var labels = data.arms.map(function (a) { return a.step + " · " + a.variant; });
  function pct(v) { return v === null ? 0 : Math.round(v * 1000) / 10; }
  draw("chart-ab", {
    tooltip: { formatter: function (p) { var a = data.arms[p.dataIndex];
      return labels[p.dataIndex] + "：" + pct(a.rate) + "%（" + a.successes + "/" + a.total + "）<br>95% 区间 " +
        (a.interval ? pct(a.interval[0]) + "% – " + pct(a.interval[1]) + "%" : "—"); } },
    grid: { left: 48, right: 16, top: 24, bottom: 32 },
    xAxis: { type: "category", data: labels },
    yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
    series: [
      { name: "转化率", type: "bar", barMaxWidth: 48, data: data.arms.map(function (a) { return pct(a.rate); }), itemStyle: { color: "#0f7b6c" } },
      { name: "95% 区间", type: "custom", renderItem: function (params, api) {
          var x = api.coord([api.value(0), api.value(1)]), y = api.coord([api.value(0), api.value(2)]);
          var w = 10;
          return { type: "group", children: [
            { type: "line", shape: { x1: x[0], y1: x[1], x2: y[0], y2: y[1] }, style: { stroke: "#1f2933", lineWidth: 1.5 } },
            { type: "line", shape: { x1: x[0] - w, y1: x[1], x2: x[0] + w, y2: x[1] }, style: { stroke: "#1f2933", lineWidth: 1.5 } },
            { type: "line", shape: { x1: y[0] - w, y1: y[1], x2: y[0] + w, y2: y[1] }, style: { stroke: "#1f2933", lineWidth: 1.5 } }] };
        },
        data: data.arms.map(function (a, i) { return a.interval ? [i, pct(a.interval[0]), pct(a.interval[1])] : [i, 0, 0]; }), z: 10 }
    ]
  });
  window.siyuCharts = charts;
})();
