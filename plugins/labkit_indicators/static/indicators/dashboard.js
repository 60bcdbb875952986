/* Indicators dashboard: draws each [data-indicators-chart] with Chart.js from the JSON series
   endpoint named in data-src, and adds a "Download PNG" link (canvas.toDataURL). The page works
   without it: the same numbers are in the tables and as SVG downloads. */
(function () {
  "use strict";
  var PALETTE = ["#1b4f8a", "#c05200", "#1e6b34", "#5b2a86", "#7a4b00", "#b3261e", "#00707a", "#4d5259"];
  var cache = {};

  function load(url) {
    if (!cache[url]) {
      cache[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        });
    }
    return cache[url];
  }

  function draw(container, data) {
    var name = container.getAttribute("data-indicator");
    var series = data.indicators[name];
    if (!series || typeof window.Chart === "undefined") { return; }
    var stacked = container.getAttribute("data-stacked") === "true";
    var modules = Object.keys(series.modules);
    var datasets = modules.map(function (module, index) {
      return { label: module, data: series.modules[module], backgroundColor: PALETTE[index % PALETTE.length] };
    });
    if (!datasets.length) {
      datasets = [{ label: container.getAttribute("data-label"), data: series.total, backgroundColor: PALETTE[0] }];
    }
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", container.getAttribute("data-label"));
    container.appendChild(canvas);
    container.setAttribute("data-ready", "true");
    var chart = new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: "bottom" } },
        scales: { x: { stacked: stacked }, y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } } }
      },
      plugins: [{
        id: "white-background",
        beforeDraw: function (c) {
          var ctx = c.ctx;
          ctx.save();
          ctx.globalCompositeOperation = "destination-over";
          ctx.fillStyle = "#ffffff";
          ctx.fillRect(0, 0, c.width, c.height);
          ctx.restore();
        }
      }]
    });
    var link = document.createElement("a");
    link.href = "#";
    link.className = "png-download";
    link.textContent = container.getAttribute("data-png-label") || "PNG";
    link.setAttribute("download", name + "-" + data.year + ".png");
    link.addEventListener("click", function () { link.href = chart.toBase64Image("image/png", 1); });
    var downloads = container.nextElementSibling;
    if (downloads && downloads.classList.contains("chart-downloads")) {
      downloads.appendChild(document.createTextNode(" · "));
      downloads.appendChild(link);
    }
  }

  function init() {
    var containers = document.querySelectorAll("[data-indicators-chart]");
    Array.prototype.forEach.call(containers, function (container) {
      load(container.getAttribute("data-src")).then(function (data) { draw(container, data); })
        .catch(function () { container.setAttribute("data-ready", "error"); });
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
