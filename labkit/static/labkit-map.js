/*
 * labkit-map.js: the base map every plugin's map script starts from (load it after the vendored
 * Leaflet, before the plugin's script; all three with "defer").
 *
 *   var map = labkitMap(element, { zoom: 11, center: [-23.55, -46.63] });
 *
 * makes a Leaflet map on element with the lab's background tiles, read from the element's
 * data-tile-url ([lab] map_tiles) and data-attribution. The map has its own zoom limits, so
 * markers and clusters are drawn whether the tiles load or not (no internet, a tile server
 * down, no tile URL): the tiles are only a background.
 */
(function () {
  "use strict";

  var MAX_ZOOM = 19;

  window.labkitMap = function (element, options) {
    var map = L.map(element, {
      scrollWheelZoom: false,
      keyboard: true,
      minZoom: 1,
      maxZoom: MAX_ZOOM
    });
    map.setView(options.center, options.zoom);
    var url = element.getAttribute("data-tile-url");
    if (url) {
      L.tileLayer(url, {
        maxZoom: MAX_ZOOM,
        attribution: element.getAttribute("data-attribution") || ""
      }).addTo(map);
    }
    return map;
  };
})();
