// The admin home's charts: Chart.js (static/vendor/, from npm) draws each <figure class="home-chart"> from the JSON
// beside it (config/admin_charts.py). Amounts come as strings and become numbers only to place the points; the
// tooltips show them as the server wrote them. Without JavaScript, or without Chart.js, the table stays open.
(function () {
  "use strict";
  const palette = ["#417690", "#e0a030", "#5b9a68", "#ba2121", "#7a5ea8", "#79aec8", "#999999"];

  function draw(figure) {
    const spec = JSON.parse(document.getElementById(figure.dataset.chartData).textContent);
    const round = spec.kind === "doughnut";
    const datasets = spec.series.map((series, index) => ({
      label: series.label,
      data: series.values.map(Number),
      backgroundColor: round ? spec.labels.map((_, slice) => palette[slice % palette.length]) : palette[index % palette.length],
      borderColor: round ? "#ffffff" : palette[index % palette.length],
      borderWidth: round ? 2 : 2,
      pointRadius: 0,
      tension: 0.2,
    }));
    new window.Chart(figure.querySelector("canvas"), {
      type: spec.kind,
      data: {labels: spec.labels, datasets},
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: {display: round || spec.series.length > 1, position: round ? "right" : "top"},
          tooltip: {callbacks: {label: (item) => spec.series[item.datasetIndex].texts[item.dataIndex]}},
        },
        scales: round ? {} : {
          x: {ticks: {maxTicksLimit: 8, autoSkip: true}},
          y: {beginAtZero: true, ticks: {maxTicksLimit: 6}},
        },
      },
    });
    figure.classList.add("charted");
    figure.querySelector("details.chart-table").removeAttribute("open");
  }

  function drawAll() {
    if (typeof window.Chart === "undefined") return;
    document.querySelectorAll("figure.home-chart").forEach(draw);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
  else drawAll();
})();
