// Maps from the project's own files (static/vendor/leaflet, static/geo): no CDN, no tile server
// needed. Two uses:
//   <div class="tz-map" data-map="ID"></div> {{ data|json_script:"ID" }}   (coordination.maps)
//   <div data-point-picker data-config="ID" ...> next to latitude/longitude inputs
//                                                              (core.formfields.PointPicker)
// Datum (see core/geo.py): stored points are WGS-84; the shipped boundaries are GCJ-02. The map
// draws in GCJ-02 when no tile server is configured, else in the tiles' datum, and converts
// whatever is not in that datum; a clicked point is converted back to WGS-84 for the form.
(function () {
  "use strict";
  if (!window.L) return;

  // --- WGS-84 <-> GCJ-02 (the same algorithm as core.geo.wgs84_to_gcj02) -------------------
  var A = 6378245.0, EE = 0.00669342162296594323, PI = Math.PI;
  function outside(lat, lon) { return !(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271); }
  function shiftLat(x, y) {
    var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
    r += (160.0 * Math.sin(y / 12.0 * PI) + 320 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    return r;
  }
  function shiftLon(x, y) {
    var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
    r += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    return r;
  }
  function wgs84ToGcj02(lat, lon) {
    if (outside(lat, lon)) return [lat, lon];
    var dLat = shiftLat(lon - 105.0, lat - 35.0), dLon = shiftLon(lon - 105.0, lat - 35.0);
    var rad = lat / 180.0 * PI, magic = 1 - EE * Math.sin(rad) * Math.sin(rad), sq = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((A * (1 - EE)) / (magic * sq) * PI);
    dLon = (dLon * 180.0) / (A / sq * Math.cos(rad) * PI);
    return [lat + dLat, lon + dLon];
  }
  function gcj02ToWgs84(lat, lon) {
    var gLat = lat, gLon = lon;
    for (var i = 0; i < 3; i++) {
      var s = wgs84ToGcj02(gLat, gLon);
      gLat += lat - s[0]; gLon += lon - s[1];
    }
    return [gLat, gLon];
  }

  function datumOf(config) { return config.tiles ? config.tiles.datum : "gcj02"; }
  // A stored (WGS-84) point as a LatLng in the display datum, and back.
  function toDisplay(config, lat, lon) {
    var p = datumOf(config) === "gcj02" ? wgs84ToGcj02(lat, lon) : [lat, lon];
    return L.latLng(p[0], p[1]);
  }
  function fromDisplay(config, latlng) {
    return datumOf(config) === "gcj02" ? gcj02ToWgs84(latlng.lat, latlng.lng) : [latlng.lat, latlng.lng];
  }
  // A boundary vertex (GCJ-02) in the display datum.
  function boundaryLatLng(config) {
    if (datumOf(config) === "gcj02") return function (c) { return L.latLng(c[1], c[0]); };
    return function (c) { var p = gcj02ToWgs84(c[1], c[0]); return L.latLng(p[0], p[1]); };
  }

  var CHINA = [[18.0, 73.5], [53.6, 135.1]];
  var cache = {};
  function load(url) {
    if (!cache[url]) {
      cache[url] = fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error(url + ": " + r.status);
        return r.json();
      });
    }
    return cache[url];
  }

  function baseMap(el, config) {
    var map = L.map(el, { zoomSnap: 0.5, scrollWheelZoom: false, worldCopyJump: false });
    if (config.tiles) {
      L.tileLayer(config.tiles.url, {
        attribution: config.tiles.attribution || "",
        subdomains: config.tiles.subdomains || "abc",
        maxZoom: 18
      }).addTo(map);
    }
    map.fitBounds(CHINA);
    return map;
  }

  // The boundary layers: the country, then each province's prefectures and counties (drawn in
  // that order, finer lines on top). Resolves to {code: layer} of every division drawn.
  function drawBoundaries(map, config, provinces, styleFor, withoutCountry) {
    var urls = withoutCountry ? [] : [config.boundaries.provinces];
    (provinces || []).forEach(function (p) {
      var files = config.boundaries[p];
      if (files) urls.push(files.prefectures, files.counties);
    });
    var toLatLng = boundaryLatLng(config);
    return Promise.all(urls.map(load)).then(function (collections) {
      var byCode = {};
      collections.forEach(function (collection, index) {
        L.geoJSON(collection, {
          coordsToLatLng: toLatLng,
          interactive: index > 0 || withoutCountry,
          style: function (feature) { return styleFor(feature, withoutCountry ? index + 1 : index); },
          onEachFeature: function (feature, layer) { byCode[feature.properties.code] = layer; }
        }).addTo(map);
      });
      return byCode;
    });
  }

  // Lines by level; without tiles the country is filled so that land stands out from the sea.
  function outline(feature, index, tiles) {
    var level = feature.properties.level;
    if (level === "maritime") return { className: "tz-boundary tz-maritime", color: "#4a6fa5", weight: 1.5, dashArray: "6 4", fill: false };
    var weights = { province: 1.4, prefecture: 1, county: 0.5 };
    return {
      className: "tz-boundary tz-" + level,
      color: level === "county" ? "#9aa7b5" : "#5b6b7d",
      weight: weights[level] || 0.8,
      fillColor: "#f4f1ea",
      fillOpacity: index === 0 && !tiles ? 0.6 : 0,
      interactive: index > 0
    };
  }

  function text(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    node.textContent = content;
    return node;
  }

  function popup(feature, labels) {
    var box = document.createElement("div");
    var title = feature.url ? document.createElement("a") : document.createElement("strong");
    title.textContent = feature.title || "";
    if (feature.url) title.href = feature.url;
    box.appendChild(title);
    if (feature.detail) box.appendChild(text("div", "", feature.detail));
    box.appendChild(text("div", "muted", feature.exact ? labels.exact : labels.blurred));
    return box;
  }

  function classFor(areas, legend, code) {
    var area = areas[code];
    if (!area || !area.open) return null;
    var colour = null;
    legend.classes.forEach(function (c) { if (area.open >= c.min) colour = c.colour; });
    return colour;
  }

  // The legend sits below the map (on a phone an overlay would hide half of it); it names only
  // the kinds of points the map holds.
  function legendBox(data) {
    var box = text("div", "tz-legend", "");
    box.appendChild(text("strong", "", data.legend.title));
    var rows = text("div", "tz-legend-rows", "");
    data.legend.classes.forEach(function (c) {
      var row = text("span", "tz-legend-row", "");
      row.appendChild(text("span", "tz-swatch tz-swatch-" + c.colour.slice(1), ""));
      row.appendChild(document.createTextNode(c.label));
      rows.appendChild(row);
    });
    [["incidents", "tz-incident"], ["needs", "tz-need"], ["filings", "tz-filing"], ["tasks", "tz-task"]]
      .concat((data.layers || []).map(function (key) { return [key, "tz-" + key]; }))
      .forEach(function (k) {
        if (!(data[k[0]] || []).length) return;
        var row = text("span", "tz-legend-row", "");
        row.appendChild(text("span", "tz-dot " + k[1], ""));
        row.appendChild(document.createTextNode(data.labels[k[0]]));
        rows.appendChild(row);
      });
    box.appendChild(rows);
    return box;
  }

  function areaTooltip(area, labels) {
    var box = document.createElement("div");
    box.appendChild(text("strong", "", area.name));
    box.appendChild(text("div", "", area.open ? labels.open + ": " + area.open : labels.none));
    (area.gaps || []).forEach(function (g) { box.appendChild(text("div", "", g)); });
    if (area.people) box.appendChild(text("div", "", labels.people + ": " + area.people));
    return box;
  }

  function incidentMap(el) {
    var source = document.getElementById(el.dataset.map);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var config = data.config;
    var map = baseMap(el, config);
    var areas = data.areas || {};
    drawBoundaries(map, config, data.provinces, function (feature, index) {
      var style = outline(feature, index, config.tiles);
      var colour = classFor(areas, data.legend, feature.properties.code);
      if (colour) { style.fillColor = colour; style.fillOpacity = 0.7; style.className += " tz-gap"; }
      return style;
    }).then(function (byCode) {
      Object.keys(areas).forEach(function (code) {
        var layer = byCode[code];
        if (!layer) return;
        layer.bindTooltip(areaTooltip(areas[code], data.labels), { sticky: true });
        // People on site (approved and arrived filings) as a label in the middle of the area.
        if (areas[code].people) {
          L.circleMarker(layer.getBounds().getCenter(), { className: "tz-point tz-area-people", radius: 5, weight: 1 })
            .bindTooltip(data.labels.peopleShort.replace("%(n)s", areas[code].people),
                         { permanent: true, direction: "right", className: "tz-people-label" })
            .addTo(map);
        }
      });
      // The incident's region, the areas with open needs and every point; or one incident.
      var view = byCode[data.focus] ? L.latLngBounds(byCode[data.focus].getBounds()) : null;
      if (data.focus) {
        Object.keys(areas).forEach(function (code) {
          if (!byCode[code] || !areas[code].open) return;
          view = view ? view.extend(byCode[code].getBounds()) : L.latLngBounds(byCode[code].getBounds());
        });
      }
      if (data.bounds) {
        var points = L.latLngBounds(
          toDisplay(config, data.bounds[0][0], data.bounds[0][1]),
          toDisplay(config, data.bounds[1][0], data.bounds[1][1])
        ).pad(0.3);
        view = view ? view.extend(points) : points;
      }
      if (view) {
        map.fitBounds(view, { maxZoom: 11 });
      } else if (data.incidents.length === 1) {
        map.setView(toDisplay(config, data.incidents[0].lat, data.incidents[0].lon), 8);
      }
      drawPoints();
      el.dataset.mapReady = "1";
    }).catch(function () {
      el.insertAdjacentElement("afterend", text("p", "muted", config.labels.boundariesFailed));
      drawPoints();
      el.dataset.mapReady = "error";
    });

    function drawPoints() {
      var layers = [["incidents", "tz-incident", 9], ["needs", "tz-need", 7],
                    ["filings", "tz-filing", 7], ["tasks", "tz-task", 6]]
        // layers of other apps (core.hooks incident_map_layers: confirmed field reports)
        .concat((data.layers || []).map(function (key) { return [key, "tz-" + key, 7]; }));
      layers.forEach(function (spec) {
        (data[spec[0]] || []).forEach(function (feature) {
          L.circleMarker(toDisplay(config, feature.lat, feature.lon), {
            className: "tz-point " + spec[1] + (feature.exact ? "" : " tz-blurred"),
            radius: spec[2],
            weight: 2
          }).bindPopup(popup(feature, data.labels)).addTo(map);
        });
      });
    }
    el.insertAdjacentElement("afterend", legendBox(data));
  }

  // --- Point picker -------------------------------------------------------------------------
  function pointPicker(box) {
    var form = box.closest("form");
    var source = document.getElementById(box.dataset.config);
    var lonInput = document.getElementById(box.dataset.longitudeId);
    var latInput = form && form.querySelector("[name='" + box.dataset.latitudeName + "']");
    if (!source || !lonInput || !latInput) return;
    var config = JSON.parse(source.textContent);
    box.hidden = false;
    var el = box.querySelector(".tz-map");
    var status = box.querySelector("[data-picker-status]");
    var map = baseMap(el, config);
    var marker = null;

    function current() {
      var lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
      return isFinite(lat) && isFinite(lon) ? [lat, lon] : null;
    }
    function place(lat, lon, pan) {
      var at = toDisplay(config, lat, lon);
      if (!marker) {
        marker = L.circleMarker(at, { className: "tz-point tz-picked", radius: 8, weight: 3 }).addTo(map);
      } else {
        marker.setLatLng(at);
      }
      if (pan) map.setView(at, Math.max(map.getZoom(), 11));
    }
    function fill(lat, lon) {
      latInput.value = lat.toFixed(6);
      lonInput.value = lon.toFixed(6);
      [latInput, lonInput].forEach(function (i) { i.dispatchEvent(new Event("change", { bubbles: true })); });
    }

    // The map opens on the form's area (region_code / area_region_code) unless a point is set,
    // and follows the area when it changes; each province's files are drawn once.
    var regionInput = form.querySelector("[name='region_code'], [name='area_region_code']");
    var drawn = {};
    function showRegion(first) {
      var region = regionInput && /^\d{6}$/.test(regionInput.value) ? regionInput.value : "";
      var province = region.slice(0, 2);
      var wanted = first ? [province] : (province && !drawn[province] ? [province] : []);
      var files = drawBoundaries(map, config, wanted.filter(Boolean), function (feature, index) {
        return outline(feature, index, config.tiles);
      }, first ? null : true);
      if (province) drawn[province] = true;
      return files.then(function (byCode) {
        Object.assign(known, byCode);
        var focus = known[region] || known[region.slice(0, 4) + "00"] || known[province + "0000"];
        if (!current() && focus) map.fitBounds(focus.getBounds());
        el.dataset.mapReady = "1";
      }).catch(function () {
        status.textContent = config.labels.boundariesFailed;
      });
    }
    var known = {};
    showRegion(true);
    if (regionInput) regionInput.addEventListener("change", function () { showRegion(false); });

    var start = current();
    if (start) place(start[0], start[1], true);
    map.on("click", function (event) {
      var p = fromDisplay(config, event.latlng);
      fill(p[0], p[1]);
      place(p[0], p[1], false);
      status.textContent = config.labels.picked;
    });
    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("input", function () {
        var p = current();
        if (p) place(p[0], p[1], true);
      });
    });
    var locate = box.querySelector("[data-locate]");
    if (!navigator.geolocation) { locate.hidden = true; return; }
    locate.addEventListener("click", function () {
      status.textContent = config.labels.locating;
      navigator.geolocation.getCurrentPosition(function (position) {
        // GPS gives WGS-84: stored as is, converted only to be drawn.
        fill(position.coords.latitude, position.coords.longitude);
        place(position.coords.latitude, position.coords.longitude, true);
        status.textContent = config.labels.located;
      }, function () {
        status.textContent = config.labels.locateFailed;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  window.TZMap = { wgs84ToGcj02: wgs84ToGcj02, gcj02ToWgs84: gcj02ToWgs84 };
  document.querySelectorAll("[data-map]:not([data-map-started])").forEach(function (el) {
    el.dataset.mapStarted = "1";
    incidentMap(el);
  });
  document.querySelectorAll("[data-point-picker]:not([data-map-started])").forEach(function (box) {
    box.dataset.mapStarted = "1";
    pointPicker(box);
  });
})();
