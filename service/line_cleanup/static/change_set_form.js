// The change-set form: new outlets placed by a click on the map, closures picked from the list (or by clicking an
// outlet), moves by a polygon drawn with Leaflet.draw, reps leaving or joining, the change budget; sent as one
// change set, then the diff page opens.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const form = document.getElementById("change-form");
  if (!form) return; // no plan to change
  const msg = data.messages;
  const pending = { new_outlets: [], moves: [] };
  const format = (text, values) => text.replace(/\{(\w+)\}/g, (_, name) => (name in values ? values[name] : ""));

  const map = L.map("change-map", { zoomSnap: data.tiles ? 1 : 0.25 });
  if (data.tiles) {
    L.tileLayer(data.tiles.url, { subdomains: data.tiles.subdomains, attribution: data.tiles.attribution, maxZoom: 19 }).addTo(map);
  }
  const closures = document.getElementById("closures");
  const outletMarkers = data.outlets.map((o) => {
    const marker = L.circleMarker([o.lonlat[1], o.lonlat[0]], { radius: 5, color: "#1f4e79", weight: 1, fillOpacity: 0.6 })
      .bindTooltip(o.code + " " + o.name)
      .addTo(map);
    marker.on("click", (event) => { // toggles the outlet's closure
      L.DomEvent.stopPropagation(event);
      const option = Array.from(closures.options).find((opt) => opt.value === o.code);
      if (option) option.selected = !option.selected;
      showClosures();
    });
    return { outlet: o, marker: marker };
  });
  const points = data.outlets.map((o) => [o.lonlat[1], o.lonlat[0]]);
  if (points.length) map.fitBounds(L.latLngBounds(points).pad(0.1));
  else map.setView([data.centre[1], data.centre[0]], 13);

  function showClosures() {
    const closed = new Set(Array.from(closures.selectedOptions).map((opt) => opt.value));
    outletMarkers.forEach(({ outlet, marker }) => marker.setStyle({ color: closed.has(outlet.code) ? "#8a1c1c" : "#1f4e79" }));
  }
  closures.addEventListener("change", showClosures);

  // a new outlet: the last click on the map is its position
  let placed = null;
  let placedMarker = null;
  map.on("click", (event) => {
    if (drawing) return;
    placed = event.latlng;
    if (placedMarker) placedMarker.setLatLng(placed);
    else placedMarker = L.marker(placed, { title: msg["line_cleanup.form.new_outlet_here"] }).addTo(map);
    document.getElementById("new-position").textContent = format(msg["line_cleanup.form.placed_at"], {
      lon: placed.lng.toFixed(6), lat: placed.lat.toFixed(6),
    });
  });

  function hours(text) {
    // "7:00-21:00" as the API's "07:00-21:00"
    const windows = text.split(/[;；]/).map((w) => w.trim().replace(/(^|-)\s*(\d):/g, "$10$2:").replace(/\s+/g, "")).filter(Boolean);
    const week = {};
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].forEach((day) => { week[day] = windows; });
    return week;
  }

  function problem(text) {
    const item = document.createElement("li");
    item.textContent = text;
    document.getElementById("form-problems").replaceChildren(item);
  }

  function addPending(text) {
    const item = document.createElement("li");
    item.textContent = text;
    document.getElementById("pending").append(item);
  }

  document.getElementById("add-outlet").addEventListener("click", () => {
    const code = document.getElementById("new-code").value.trim();
    const name = document.getElementById("new-name").value.trim();
    if (!placed || !code || !name) {
      problem(msg["line_cleanup.form.outlet_incomplete"]);
      return;
    }
    const outlet = {
      code: code,
      name: name,
      channel: document.getElementById("new-channel").value,
      lon: Number(placed.lng.toFixed(6)),
      lat: Number(placed.lat.toFixed(6)),
      coord_system: data.map_coord_system,
      service_min: Number(document.getElementById("new-service").value),
      visits_per_cycle: Number(document.getElementById("new-frequency").value),
      opening_hours: hours(document.getElementById("new-hours").value),
    };
    const rep = document.getElementById("new-rep").value;
    if (rep) outlet.rep_code = rep;
    pending.new_outlets.push(outlet);
    addPending(format(msg["line_cleanup.form.pending_outlet"], { code: code, name: name }));
    L.circleMarker(placed, { radius: 7, color: "#0b6b2b", fillOpacity: 0.8 }).bindTooltip(name).addTo(map);
    map.removeLayer(placedMarker);
    placedMarker = null;
    placed = null;
    document.getElementById("new-position").textContent = msg["line_cleanup.form.click_map"];
    ["new-code", "new-name"].forEach((id) => { document.getElementById(id).value = ""; });
  });

  // a move: the polygon drawn last, handed to the chosen rep
  const drawn = new L.FeatureGroup().addTo(map);
  let drawing = false;
  let polygon = null;
  map.addControl(new L.Control.Draw({
    draw: { polygon: { allowIntersection: false }, polyline: false, rectangle: false, circle: false, marker: false, circlemarker: false },
    edit: { featureGroup: drawn, edit: false },
  }));
  map.on(L.Draw.Event.DRAWSTART, () => { drawing = true; });
  map.on(L.Draw.Event.DRAWSTOP, () => { setTimeout(() => { drawing = false; }, 0); });
  map.on(L.Draw.Event.CREATED, (event) => {
    drawn.addLayer(event.layer);
    polygon = event.layer.toGeoJSON().geometry;
    const inside = outletMarkers.filter(({ marker }) => insidePolygon(marker.getLatLng(), polygon.coordinates[0])).length;
    document.getElementById("move-state").textContent = format(msg["line_cleanup.form.polygon_drawn"], { n: inside });
    document.getElementById("add-move").disabled = false;
  });

  function insidePolygon(latlng, ring) { // ray casting, lon/lat as drawn
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > latlng.lat) !== (yj > latlng.lat) && latlng.lng < ((xj - xi) * (latlng.lat - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  document.getElementById("add-move").addEventListener("click", () => {
    if (!polygon) return;
    const rep = document.getElementById("move-rep").value;
    pending.moves.push({ to_rep_code: rep, polygon: polygon });
    addPending(format(msg["line_cleanup.form.pending_move"], { rep: rep }));
    polygon = null;
    document.getElementById("add-move").disabled = true;
    document.getElementById("move-state").textContent = msg["line_cleanup.form.no_polygon"];
  });

  const selected = (id) => Array.from(document.getElementById(id).selectedOptions).map((opt) => opt.value);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const changeSet = {
      base_plan_id: data.base_plan_id,
      idempotency_key: "form-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 8),
      change_budget: document.getElementById("budget-any").checked ? null : Number(document.getElementById("budget").value || 0),
      new_outlets: pending.new_outlets,
      closures: selected("closures"),
      moves: pending.moves,
      reps_leaving: selected("leaving"),
      new_reps: selected("joining").map((code) => ({ rep_code: code })),
    };
    const nothing = !changeSet.new_outlets.length && !changeSet.closures.length && !changeSet.moves.length
      && !changeSet.reps_leaving.length && !changeSet.new_reps.length;
    if (nothing) {
      problem(msg["line_cleanup.form.nothing"]);
      return;
    }
    const button = document.getElementById("submit-change-set");
    button.disabled = true;
    const response = await fetch(data.submit_url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ change_set: changeSet, map_coord_system: data.map_coord_system }),
    });
    const body = await response.json();
    if (response.ok) {
      window.location.assign(format(data.diff_url, { id: body.id }));
      return;
    }
    button.disabled = false;
    const list = document.getElementById("form-problems");
    list.replaceChildren(...(body.detail || [{ msg: String(response.status) }]).map((d) => {
      const item = document.createElement("li");
      item.textContent = (d.loc ? d.loc.filter((part) => part !== "body").join(" › ") + ": " : "") + d.msg;
      return item;
    }));
  });
})();
