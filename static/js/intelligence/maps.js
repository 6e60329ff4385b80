/* Lantern intelligence maps: Leaflet over local authority boundaries, with no tile server.
 * Progressive enhancement: the page already shows the same map drawn on the server and a table
 * of the figures. This script only runs when Leaflet has loaded; it reads the map data from the
 * JSON block the page carries and fetches the boundaries from Lantern itself. */
(function () {
  "use strict";
  var holder = document.getElementById("intel-map");
  var dataBlock = document.getElementById("intel-map-data");
  if (!holder || !dataBlock || typeof window.L === "undefined") { return; }
  var data = JSON.parse(dataBlock.textContent);
  var L = window.L;
  var BLUES = ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];

  function colourFor(count, top) {
    if (!count) { return "#f3f4f6"; }
    var step = Math.min(BLUES.length - 1, Math.ceil((count / top) * (BLUES.length - 1)));
    return BLUES[Math.max(1, step)];
  }

  function radiusFor(count, top) {
    return 4 + 18 * Math.sqrt(count / Math.max(1, top));
  }

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span.innerHTML;
  }

  function arrowHead(from, to, size) {
    // A small triangle at the destination, pointing along the line (flat-earth approximation).
    var dy = to[0] - from[0];
    var dx = (to[1] - from[1]) * Math.cos(to[0] * Math.PI / 180);
    var length = Math.sqrt(dx * dx + dy * dy) || 1;
    var ux = dx / length, uy = dy / length;
    var back = [to[0] - uy * size, to[1] - ux * size / Math.cos(to[0] * Math.PI / 180)];
    var side = size * 0.5;
    var left = [back[0] + ux * side, back[1] - uy * side / Math.cos(to[0] * Math.PI / 180)];
    var right = [back[0] - ux * side, back[1] + uy * side / Math.cos(to[0] * Math.PI / 180)];
    return [to, left, right];
  }

  function staticFigure() {
    return document.getElementById("intel-map-static");
  }

  function draw(boundaries) {
    holder.hidden = false;
    if (staticFigure()) { staticFigure().classList.add("ln-map-static--replaced"); }
    var map = L.map(holder, { zoomSnap: 0.25, preferCanvas: false, attributionControl: true });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Contains OS data © Crown copyright 2025; ONS, OGL v3");
    var counts = data.choropleth || {};
    var top = 1;
    Object.keys(counts).forEach(function (code) { top = Math.max(top, counts[code]); });
    var base = L.geoJSON(boundaries, {
      style: function (feature) {
        var n = counts[feature.properties.code] || 0;
        return { color: "#8a9099", weight: 0.6, fillColor: data.kind === "episodes" ? colourFor(n, top) : "#f3f4f6", fillOpacity: 1 };
      },
      onEachFeature: function (feature, layer) {
        var label = feature.properties.name;
        if (data.kind === "episodes") { label += ": " + (counts[feature.properties.code] || 0) + " episodes"; }
        layer.bindTooltip(text(label), { sticky: true });
      }
    });
    // Leaflet needs a view before it can draw anything: fit the boundaries and flows first.
    var bounds = base.getBounds();
    (data.flows || []).forEach(function (f) { bounds.extend(f.o); bounds.extend(f.d); });
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); } else { map.setView([52.8, -1.5], 6); }
    base.addTo(map);

    var points = data.points || [];
    var largest = 1;
    points.forEach(function (p) { largest = Math.max(largest, p.found, p.hotspots); });
    points.forEach(function (p) {
      if (p.found) {
        L.circleMarker([p.lat, p.long], { radius: radiusFor(p.found, largest), color: "#ffffff", weight: 1, fillColor: "#1d5cb3", fillOpacity: 0.6 })
          .bindTooltip(text(p.code + ": " + p.found + " episode(s) ended here")).addTo(map);
      }
      if (p.hotspots) {
        L.circleMarker([p.lat, p.long], { radius: radiusFor(p.hotspots, largest) * 0.8, color: "#c5221f", weight: 2, fillColor: "#c5221f", fillOpacity: 0.3 })
          .bindTooltip(text(p.code + ": " + p.hotspots + " hotspot(s)")).addTo(map);
      }
    });

    var flows = (data.flows || []).slice().sort(function (a, b) { return a.count - b.count; });
    var most = 1;
    flows.forEach(function (f) { most = Math.max(most, f.count); });
    flows.forEach(function (f) {
      var weight = 1.5 + 7 * f.count / most;
      var label = text(f.from + " to " + f.to + ": " + f.count + " episode(s)");
      L.polyline([f.o, f.d], { color: "#b45309", weight: weight, opacity: 0.75 }).bindTooltip(label).addTo(map);
      L.polygon(arrowHead(f.o, f.d, 0.08 + 0.04 * weight / 8), { color: "#b45309", weight: 1, fillOpacity: 0.9 }).addTo(map);
    });
  }

  fetch(data.boundaries, { credentials: "same-origin" })
    .then(function (response) { if (!response.ok) { throw new Error("boundaries"); } return response.json(); })
    .then(draw)
    .catch(function (error) {
      // The server-drawn map and the table are still on the page.
      holder.hidden = true;
      if (staticFigure()) { staticFigure().classList.remove("ln-map-static--replaced"); }
      if (window.console) { window.console.warn("Lantern map could not be drawn:", error); }
    });
}());
