/* The statements' totals over time (Chart.js, vendored); the table beside it holds the same
   figures for screen readers. */
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("statements-chart");
    var source = document.getElementById("statements-chart-data");
    if (!canvas || !source) { return; }
    var data = JSON.parse(source.textContent);
    var number = function (values) { return values.map(Number); };
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: "Statement", data: number(data.statement), backgroundColor: "#125e8a" },
          { label: "Your log", data: number(data.log), backgroundColor: "#ffc107" },
          { label: "Owed", data: number(data.owed), type: "line", borderColor: "#dc3545", pointRadius: 3, tension: 0.2 }
        ]
      },
      options: {
        maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, title: { display: true, text: "wRVU" } } }
      }
    });
    document.body.dataset.chartsReady = "true";
  }
  if (window.Chart) { draw(); } else { window.addEventListener("load", draw); }
})();
