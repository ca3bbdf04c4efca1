/*
 * twinmatch — offline maps.
 *
 * Draws an SVG map in every element that has a `data-map` attribute:
 *
 *   <div data-map data-label="Eauville and its partners"
 *        data-atlas="/static/vendor/world-atlas/countries-110m.json"
 *        data-points='[{"lat": 48.1, "lon": -1.7, "label": "Eauville", "href": null, "role": "self"}, …]'>
 *   </div>
 *
 * Needs the vendored globals `d3` (d3-array + d3-geo) and `topojson` (topojson-client), loaded before this
 * file. Nothing is fetched but the atlas, and only from this page's origin; each atlas URL is fetched once
 * per page, whatever the number of maps. A point without a usable lat/lon is skipped, never placed.
 * Colours and sizes are SVG presentation attributes (no inline styles, so a strict CSP is fine) and carry
 * class names, so the page's CSS can restyle them. When done, `el.dataset.drawn` = the number of points
 * drawn (and `el.dataset.mapError` says why when the countries could not be drawn).
 */
(() => {
  "use strict";

  const SVG_NS = "http://www.w3.org/2000/svg";
  const PADDING = 28; // px of the viewBox kept free around the fitted points
  const MIN_HALF_SPAN = [10, 6]; // degrees (lon, lat): the least a map shows around its points
  const STYLE = {
    ocean: { fill: "#eef3f7" },
    countries: { fill: "#dfe4e8", stroke: "#aab3bc", "stroke-width": "0.5" },
    self: { r: "7", fill: "#c2410c", stroke: "#ffffff", "stroke-width": "2" },
    partner: { r: "5", fill: "#1d4ed8", stroke: "#ffffff", "stroke-width": "1.5" },
  };

  /** @type {Map<string, Promise<object>>} atlas URL -> its countries as a GeoJSON FeatureCollection */
  const atlases = new Map();
  /** The elements whose map is drawn or being drawn (drawAll may run more than once). */
  const started = new WeakSet();

  function svg(name, attrs = {}) {
    const node = document.createElementNS(SVG_NS, name);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    return node;
  }

  /** The countries of a world-atlas TopoJSON file, fetched once per URL (same origin only). */
  function countries(url) {
    const absolute = new URL(url, document.baseURI);
    if (absolute.origin !== window.location.origin) {
      return Promise.reject(new Error(`atlas not on this origin: ${absolute.href}`));
    }
    if (!atlases.has(absolute.href)) {
      const loading = fetch(absolute.href, { credentials: "same-origin" })
        .then((response) => {
          if (!response.ok) throw new Error(`atlas: HTTP ${response.status}`);
          return response.json();
        })
        .then((topology) => {
          const object = topology.objects.countries || Object.values(topology.objects)[0];
          return topojson.feature(topology, object);
        });
      loading.catch(() => atlases.delete(absolute.href)); // a later map may try again
      atlases.set(absolute.href, loading);
    }
    return atlases.get(absolute.href);
  }

  /** The points that can be placed: finite lat in [-90, 90] and lon in [-180, 180]. */
  function parsePoints(el) {
    let points;
    try {
      points = JSON.parse(el.dataset.points || "[]");
    } catch (error) {
      console.error("map: data-points is not JSON", el, error);
      return [];
    }
    if (!Array.isArray(points)) return [];
    const valid = (v, limit) => typeof v === "number" && Number.isFinite(v) && Math.abs(v) <= limit;
    return points.filter((p) => p && valid(p.lat, 90) && valid(p.lon, 180));
  }

  /** The smallest longitude arc holding every point, as [west, east] (east may pass 180). */
  function longitudeArc(lons) {
    const sorted = [...lons].sort((a, b) => a - b);
    let gap = sorted[0] + 360 - sorted[sorted.length - 1]; // the gap across the antimeridian
    let west = sorted[0];
    for (let i = 1; i < sorted.length; i += 1) {
      if (sorted[i] - sorted[i - 1] > gap) {
        gap = sorted[i] - sorted[i - 1];
        west = sorted[i];
      }
    }
    return [west, west + 360 - gap];
  }

  /** A Natural Earth projection centred on the points and fitted to them (never wider than the world). */
  function projectionFor(points, width, height) {
    const extent = [[PADDING, PADDING], [width - PADDING, height - PADDING]];
    const world = d3.geoNaturalEarth1().fitExtent(extent, { type: "Sphere" });
    if (points.length === 0) return world;

    const [west, east] = longitudeArc(points.map((p) => p.lon));
    const lats = points.map((p) => p.lat);
    const centre = [(west + east) / 2, (Math.min(...lats) + Math.max(...lats)) / 2];
    const halfLon = Math.max((east - west) / 2, MIN_HALF_SPAN[0]);
    const halfLat = Math.max((Math.max(...lats) - Math.min(...lats)) / 2, MIN_HALF_SPAN[1]);
    const clampLat = (lat) => Math.max(-85, Math.min(85, lat));
    const frame = [
      [centre[0] - halfLon, clampLat(centre[1] - halfLat)],
      [centre[0] + halfLon, clampLat(centre[1] + halfLat)],
      [centre[0] - halfLon, clampLat(centre[1] + halfLat)],
      [centre[0] + halfLon, clampLat(centre[1] - halfLat)],
    ];
    const coordinates = [...points.map((p) => [p.lon, p.lat]), ...frame];
    const fitted = d3.geoNaturalEarth1()
      .rotate([-centre[0], 0])
      .fitExtent(extent, { type: "MultiPoint", coordinates });
    return fitted.scale() < world.scale() ? world.rotate([-centre[0], 0]) : fitted;
  }

  /** Only web links (relative ones included); anything else (javascript:, data:…) is dropped. */
  function safeHref(href) {
    if (typeof href !== "string" || href === "") return null;
    try {
      const url = new URL(href, document.baseURI);
      return url.protocol === "http:" || url.protocol === "https:" ? href : null;
    } catch {
      return null;
    }
  }

  /** One point: a circle with its label as <title>, inside a link when it has one; keyboard-focusable. */
  function marker(point, projection) {
    const [x, y] = projection([point.lon, point.lat]);
    const role = point.role === "self" ? "self" : "partner";
    const href = safeHref(point.href);
    const wrapper = href ? svg("a", { href, tabindex: "0" }) : svg("g", { tabindex: "0" });
    wrapper.setAttribute("class", `map-point map-point-${role}`);
    const title = svg("title");
    title.textContent = String(point.label ?? "");
    wrapper.append(title, svg("circle", { cx: x.toFixed(1), cy: y.toFixed(1), ...STYLE[role] }));
    return wrapper;
  }

  async function draw(el) {
    if (started.has(el)) return;
    started.add(el);
    const points = parsePoints(el);
    const width = Math.round(Math.min(1200, Math.max(320, el.clientWidth || 640)));
    const height = Math.round(width * 0.56);
    // Clipped to the view: paths outside it are cut, which keeps the SVG small when zoomed in.
    const projection = projectionFor(points, width, height).clipExtent([[0, 0], [width, height]]);
    const path = d3.geoPath(projection);

    const root = svg("svg", {
      viewBox: `0 0 ${width} ${height}`, width: "100%", preserveAspectRatio: "xMidYMid meet",
      display: "block",
      role: "group", "aria-label": el.dataset.label || "Map", class: "map",
    });
    root.append(svg("path", { d: path({ type: "Sphere" }), class: "map-ocean", "aria-hidden": "true",
                              ...STYLE.ocean }));
    const land = svg("path", { class: "map-countries", "aria-hidden": "true",
                               "vector-effect": "non-scaling-stroke", ...STYLE.countries });
    root.append(land);
    // Partners first, the authority itself last: drawn on top of any partner nearby.
    const ordered = [...points.filter((p) => p.role !== "self"), ...points.filter((p) => p.role === "self")];
    for (const point of ordered) root.append(marker(point, projection));

    try {
      if (!el.dataset.atlas) throw new Error("no data-atlas URL");
      land.setAttribute("d", path(await countries(el.dataset.atlas)) || "");
    } catch (error) {
      el.dataset.mapError = String(error.message || error); // the points are still shown, on the ocean
      console.error("map:", error);
    }
    el.replaceChildren(root);
    el.dataset.drawn = String(ordered.length);
  }

  function drawAll(scope = document) {
    if (typeof d3 === "undefined" || typeof topojson === "undefined" || !d3.geoNaturalEarth1) {
      console.error("map: d3-array, d3-geo and topojson-client must be loaded before map.js");
      return;
    }
    scope.querySelectorAll("[data-map]").forEach((el) => { draw(el); });
  }

  window.twinmatchMap = { draw, drawAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => drawAll());
  } else {
    drawAll();
  }
})();
