/* Federation map: member labs coloured AND shaped by their reporting status (a symbol inside each
   marker, as in the legend), read from the completeness JSON API named in data-src. Markers are
   focusable with the keyboard and open a popup with the lab's name, status and page. The page
   works without it: the same labs are in the table under the map. The base map and its tiles
   come from the core script labkit-map.js. */
(function () {
  "use strict";
  var SYMBOLS = { on_time: "\u2713", late: "!", failed: "\u2717", missing: "\u2013", pending: "\u2026" };

  function start() {
    var element = document.getElementById("federation-map");
    if (!element || typeof L === "undefined" || typeof labkitMap === "undefined") { return; }
    var labels = {};
    try { labels = JSON.parse(element.getAttribute("data-labels") || "{}"); } catch (error) { labels = {}; }
    var map = labkitMap(element, { center: [-14.2, -51.9], zoom: 4 });
    var base = element.getAttribute("data-lab-url") || "/federation/labs/";
    fetch(element.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (report) {
        var group = L.featureGroup();
        var count = 0;
        (report.members || []).forEach(function (member) {
          if (member.latitude === null || member.longitude === null || member.latitude === undefined) { return; }
          var label = labels[member.status] || member.status;
          var icon = L.divIcon({
            className: "fed-icon",
            html: '<span class="fed-marker fed-marker-' + member.status + '" aria-hidden="true">' + (SYMBOLS[member.status] || "?") + "</span>",
            iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -10]
          });
          var marker = L.marker([member.latitude, member.longitude], { icon: icon, keyboard: true, title: member.name + " \u2014 " + label, alt: member.name + " \u2014 " + label });
          var box = document.createElement("div");
          var name = document.createElement("a");
          name.href = base + encodeURIComponent(member.code);
          name.textContent = member.name;
          var status = document.createElement("p");
          status.textContent = (SYMBOLS[member.status] || "") + " " + label;
          box.appendChild(name);
          box.appendChild(status);
          marker.bindPopup(box);
          marker.on("add", function () {
            var node = marker.getElement();
            if (node) {
              node.setAttribute("role", "button");
              node.setAttribute("aria-label", member.name + " \u2014 " + label);
              node.setAttribute("data-status", member.status);
            }
          });
          group.addLayer(marker);
          count += 1;
        });
        group.addTo(map);
        if (count > 0) { map.fitBounds(group.getBounds(), { padding: [24, 24], maxZoom: 10 }); }
        element.setAttribute("data-markers", String(count));
      })
      .catch(function () { element.setAttribute("data-markers", "error"); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
