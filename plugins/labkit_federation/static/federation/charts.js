/* Federation charts: every [data-fed-chart] reads its series from data-series (JSON: labels and
   indicators → values) and draws one small line chart per indicator with Chart.js. The same numbers are always
   in the table next to it, so the page works without JavaScript. */
(function () {
  "use strict";
  var COLOURS = { projects: "#1b4f8a", partnerships: "#c05200", participants: "#1e6b34", products: "#5b2a86" };
  var DASHES = { projects: [], partnerships: [6, 4], participants: [2, 3], products: [10, 3, 2, 3] };

  function draw(container) {
    if (typeof window.Chart === "undefined") { return; }
    var data, names;
    try {
      data = JSON.parse(container.getAttribute("data-series"));
      names = JSON.parse(container.getAttribute("data-names") || "{}");
    } catch (error) { container.setAttribute("data-ready", "error"); return; }
    if (!data.labels || !data.labels.length) { container.setAttribute("data-ready", "empty"); return; }
    // Small multiples: one chart per indicator, each on its own scale (participants are counted in
    // hundreds, projects in units: one shared axis would flatten the smaller ones).
    var grid = document.createElement("div");
    grid.className = "fed-chart-grid";
    container.appendChild(grid);
    Object.keys(data.indicators).forEach(function (name) {
      var figure = document.createElement("figure");
      var caption = document.createElement("figcaption");
      caption.textContent = names[name] || name;
      var box = document.createElement("div");
      box.className = "fed-chart-box";
      var canvas = document.createElement("canvas");
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", (container.getAttribute("data-label") || "") + " \u2014 " + (names[name] || name));
      box.appendChild(canvas);
      figure.appendChild(caption);
      figure.appendChild(box);
      grid.appendChild(figure);
      new window.Chart(canvas, {
        type: "line",
        data: { labels: data.labels, datasets: [{ label: names[name] || name, data: data.indicators[name],
          borderColor: COLOURS[name] || "#4d5259", backgroundColor: COLOURS[name] || "#4d5259",
          borderDash: DASHES[name] || [], spanGaps: false, tension: 0 }] },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
                   plugins: { legend: { display: false } },
                   scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
    });
    container.setAttribute("data-ready", "true");
  }

  function init() { Array.prototype.forEach.call(document.querySelectorAll("[data-fed-chart]"), draw); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
