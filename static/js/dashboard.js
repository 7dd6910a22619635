/* Dashboard charts (Chart.js, vendored). The figures also sit in tables for screen readers. */
(function () {
  "use strict";
  function draw() {
    var data = JSON.parse(document.getElementById("chart-data").textContent);
    var number = function (values) { return values.map(Number); };
    var trend = document.getElementById("trend-chart");
    if (trend) {
      new Chart(trend, {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            { label: "Medicare-style", data: number(data.medicare), backgroundColor: "#125e8a" },
            { label: "Policy", data: number(data.policy), backgroundColor: "#ffc107" },
            { label: "Raw", data: number(data.raw), type: "line", borderColor: "#6c757d", pointRadius: 0, tension: 0.2 }
          ]
        },
        options: {
          maintainAspectRatio: false, animation: false,
          interaction: { mode: "index", intersect: false },
          scales: { y: { beginAtZero: true, title: { display: true, text: "wRVU" } } }
        }
      });
    }
    var categories = document.getElementById("category-chart");
    if (categories && data.categories.length) {
      new Chart(categories, {
        type: "doughnut",
        data: { labels: data.categories, datasets: [{ data: number(data.category_wrvu),
          backgroundColor: ["#125e8a", "#ffc107", "#198754", "#6f42c1", "#dc3545", "#0dcaf0", "#fd7e14", "#6c757d"] }] },
        options: { maintainAspectRatio: false, animation: false, plugins: { legend: { position: "bottom" } } }
      });
    }
    document.body.dataset.chartsReady = "true";
  }
  if (window.Chart) { draw(); } else { window.addEventListener("load", draw); }
})();
