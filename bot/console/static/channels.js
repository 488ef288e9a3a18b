// 渠道活码: adds per day for each code, stacked, from the figures the server embedded as JSON.
(function () {
  "use strict";
  var source = document.getElementById("channel-data");
  var el = document.getElementById("chart-code-adds");
  if (!source || !el || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    color: ["#0f7b6c", "#3538cd", "#f79009", "#7a5af8", "#ee46bc", "#667085", "#12b76a"],
    tooltip: { trigger: "axis" },
    legend: { top: 0, type: "scroll" },
    grid: { left: 40, right: 16, top: 36, bottom: 28 },
    xAxis: { type: "category", data: data.days },
    yAxis: { type: "value", minInterval: 1 },
    series: data.codes.map(function (code) {
      return { name: code.name, type: "bar", stack: "adds", barMaxWidth: 18,
               data: data.days.map(function (day) { return code.adds[day] || 0; }) };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
