/* Code page: the history chart and the locality filter.
   Progressive enhancement: without this script the history table and the plain select with its
   submit button still work. */
(function () {
  "use strict";

  function drawHistory() {
    var canvas = document.getElementById("history-chart");
    var source = document.getElementById("history-data");
    if (!canvas || !source || typeof Chart === "undefined" || Chart.getChart(canvas)) {
      return;
    }
    var data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          { label: "Work RVU", data: data.work.map(Number), yAxisID: "rvu", borderColor: "#125e8a", backgroundColor: "#125e8a", tension: 0.2 },
          { label: data.payment_label, data: data.payment.map(function (v) { return v === null ? null : Number(v); }), yAxisID: "usd", borderColor: "#b35c00", backgroundColor: "#b35c00", borderDash: [5, 4], tension: 0.2, spanGaps: true }
        ]
      },
      options: {
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: {
          rvu: { type: "linear", position: "left", beginAtZero: true, title: { display: true, text: "Work RVU" } },
          usd: { type: "linear", position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "USD" } }
        }
      }
    });
  }

  // Filter the locality select by state or name as the visitor types. Delegated, because the
  // payment card (and the input) is replaced by htmx when a locality is chosen.
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-locality-filter]")) {
      return;
    }
    var select = document.querySelector(input.getAttribute("data-locality-filter"));
    if (!select) {
      return;
    }
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var firstMatch = null;
    select.querySelectorAll("optgroup").forEach(function (group) {
      var visible = 0;
      group.querySelectorAll("option").forEach(function (option) {
        var text = (option.getAttribute("data-search") || "").toLowerCase();
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        option.hidden = !match;
        option.disabled = !match;
        if (match) {
          visible += 1;
          firstMatch = firstMatch || option;
        }
      });
      group.hidden = visible === 0;
    });
    select.setAttribute("size", words.length ? "6" : "1");
  });

  // A chosen locality swaps in the whole page body (tiles, RVU table and payment card follow
  // it, and htmx puts ?locality= in the address): draw the new chart and keep the focus on the
  // locality list the visitor was using.
  document.addEventListener("htmx:afterSettle", function () {
    var select = document.getElementById("locality-select");
    if (!select) {
      return;
    }
    drawHistory();
    if (!document.activeElement || document.activeElement === document.body) {
      select.focus();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawHistory);
  } else {
    drawHistory();
  }
})();
