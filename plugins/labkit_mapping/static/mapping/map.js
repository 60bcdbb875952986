/*
 * mapping/map.js: the interactive map of the ecosystem (Leaflet + markercluster, vendored).
 * The page works without it: the list of organisations under the map is always there.
 *
 * #mapping-map[data-geojson-url]  the map of many organisations, read from the GeoJSON endpoint,
 *                                 clustered, each marker with a popup linking to its page.
 * #mapping-map[data-lat][data-lng] one organisation's place (its own page).
 * Both start from the core base map (labkit-map.js: the lab's tiles, drawn or not, never in the way).
 * After loading, the map element gets data-markers="<count>" (tests and assistive notes use it).
 */
(function () {
  "use strict";

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) {
      node.className = className;
    }
    return node;
  }

  function popup(properties, moreLabel) {
    var box = document.createElement("div");
    box.className = "mapping-popup";
    if (properties.logo) {
      var logo = document.createElement("img");
      logo.src = properties.logo.url;
      logo.alt = properties.logo.alt;
      logo.className = "mapping-popup-logo";
      box.appendChild(logo);
    }
    box.appendChild(text("h3", properties.name));
    var kind = properties.kind_label || properties.kind;
    box.appendChild(text("p", properties.address ? kind + " · " + properties.address : kind, "small"));
    if (properties.seal_labels && properties.seal_labels.length) {
      box.appendChild(text("p", properties.seal_labels.join(" · "), "small mapping-popup-seals"));
    }
    if (properties.topics && properties.topics.length) {
      box.appendChild(text("p", properties.topics.join(", "), "small muted"));
    }
    var link = document.createElement("a");
    link.href = properties.url;
    link.textContent = moreLabel || properties.name;
    var para = document.createElement("p");
    para.appendChild(link);
    box.appendChild(para);
    return box;
  }

  function centre(element) {
    var parts = (element.getAttribute("data-center") || "-23.5505,-46.6333").split(",");
    return [parseFloat(parts[0]), parseFloat(parts[1])];
  }

  function many(element) {
    var map = labkitMap(element, { center: centre(element), zoom: parseInt(element.getAttribute("data-zoom") || "11", 10) });
    var group = L.markerClusterGroup ? L.markerClusterGroup({ showCoverageOnHover: false }) : L.featureGroup();
    var more = element.getAttribute("data-more");
    fetch(element.getAttribute("data-geojson-url"), { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (collection) {
        var count = 0;
        (collection.features || []).forEach(function (feature) {
          var coordinates = feature.geometry && feature.geometry.coordinates;
          if (!coordinates) {
            return;
          }
          var marker = L.marker([coordinates[1], coordinates[0]], {
            title: feature.properties.name,
            alt: feature.properties.name,
            keyboard: true
          });
          marker.bindPopup(popup(feature.properties, more));
          group.addLayer(marker);
          count += 1;
        });
        map.addLayer(group);
        if (count > 0) {
          map.fitBounds(group.getBounds(), { padding: [24, 24], maxZoom: 15 });
        }
        element.setAttribute("data-markers", String(count));
      })
      .catch(function (error) {
        element.setAttribute("data-markers", "error");
        if (window.console) {
          window.console.warn("map: could not load the organisations", error);
        }
      });
  }

  function one(element) {
    var point = [parseFloat(element.getAttribute("data-lat")), parseFloat(element.getAttribute("data-lng"))];
    var map = labkitMap(element, { center: point, zoom: parseInt(element.getAttribute("data-zoom") || "15", 10) });
    var name = element.getAttribute("data-name") || "";
    L.marker(point, { title: name, alt: name }).addTo(map);
    element.setAttribute("data-markers", "1");
  }

  function start() {
    var element = document.getElementById("mapping-map");
    if (!element || typeof L === "undefined" || typeof labkitMap === "undefined") {
      return;
    }
    L.Icon.Default.imagePath = element.getAttribute("data-icons") || "/static/vendor/leaflet/images/";
    if (element.hasAttribute("data-geojson-url")) {
      many(element);
    } else if (element.hasAttribute("data-lat")) {
      one(element);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
