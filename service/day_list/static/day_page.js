// The rep's day on the phone: the outcome form of every stop, with an outbox that survives being offline, and
// the small day map. Data: the page's #day-data JSON (coordinates shifted on the server for the base map).
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("day-data").textContent);
  const msg = data.messages;
  const format = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => String(values[k]));

  // Offline: the service worker that keeps this page on the phone is registered by rep_offline.js (every day page).

  // --- outcomes: every report goes to the outbox (localStorage) first, then to the server, oldest first. A report
  // keeps its client_id for good, so a resend after a lost answer is the same report to the server (idempotent).
  const OUTBOX = "routeplan.outbox";
  const RETRY_MS = 10000;
  const status = document.getElementById("sync-status");
  const outbox = () => JSON.parse(localStorage.getItem(OUTBOX) || "[]");
  const saveOutbox = (items) => localStorage.setItem(OUTBOX, JSON.stringify(items));
  const clock = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: data.timezone });
  const hhmm = (iso) => clock.format(new Date(iso)); // in the office's time zone, as the server shows it
  let flushing = false;
  let signedOut = false;

  function newId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16)); // randomUUID needs https; this works on http too
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function rowState(code, text, state) {
    const form = document.querySelector('form.outcome[data-code="' + CSS.escape(code) + '"]');
    if (!form) return; // a report of another day's page, still in the outbox
    const line = form.querySelector(".recorded");
    line.textContent = text;
    line.dataset.state = state;
  }

  function showQueue() {
    const waiting = outbox();
    status.textContent = waiting.length ? format(msg["rep_app.queued"], { count: waiting.length }) : "";
    status.dataset.waiting = String(waiting.length);
    for (const item of waiting) {
      if (item.report.date === data.date) rowState(item.report.outlet_code, format(msg["rep_app.queued_row"], { time: hhmm(item.report.recorded_at) }), "queued");
    }
  }

  function farText(outcome) {
    return outcome.far_from_outlet
      ? " · " + format(msg["rep_app.far_from_outlet"], { metres: Math.round(outcome.distance_m), limit: data.far_m })
      : "";
  }

  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      while (outbox().length) {
        const item = outbox()[0];
        let response;
        try {
          response = await fetch(item.url, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(item.report),
          });
        } catch (networkError) {
          break; // offline: keep it, try again later
        }
        if (response.status === 401) { // signed out (the cookie expired): keep the outbox for after signing in
          signedOut = true;
          break;
        }
        if (response.status >= 500 || response.status === 429) break; // worth retrying
        saveOutbox(outbox().filter((queued) => queued.report.client_id !== item.report.client_id));
        const body = await response.json();
        if (response.ok) {
          if (item.report.date === data.date) {
            rowState(item.report.outlet_code, format(msg["rep_app.recorded_at"], { time: hhmm(item.report.recorded_at) }) + farText(body), "saved");
          }
        } else {
          const reason = (body.detail && body.detail[0] && body.detail[0].msg) || response.status;
          rowState(item.report.outlet_code, format(msg["rep_app.refused"], { reason: reason }), "refused");
        }
      }
    } finally {
      flushing = false;
      showQueue();
      if (signedOut && outbox().length) status.textContent += " · " + msg["rep_app.sign_in_again"];
      if (!outbox().length && status.dataset.sent === "1") status.textContent = msg["rep_app.all_sent"];
    }
  }

  function position() {
    // the phone's position when the browser gives it within a few seconds; the report goes without it otherwise
    return new Promise((resolve) => {
      if (!navigator.geolocation) return resolve(null);
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: Math.round(p.coords.accuracy) }),
        () => resolve(null),
        // a fresh fix: a remembered one is likely from the previous outlet
        { enableHighAccuracy: true, timeout: 8000, maximumAge: 0 }
      );
    });
  }

  for (const form of document.querySelectorAll("form.outcome")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const chosen = form.querySelector('input[type="radio"]:checked');
      if (!chosen) {
        rowState(form.dataset.code, msg["rep_app.choose_outcome"], "refused");
        return;
      }
      const visited = chosen.value === "visited";
      const report = {
        rep_id: data.rep_id,
        outlet_code: form.dataset.code,
        date: data.date,
        visited: visited,
        order_taken: visited && form.querySelector('input[name="order"]').checked,
        client_id: newId(),
        recorded_at: new Date().toISOString(),
      };
      if (!visited) report.reason = chosen.value;
      rowState(form.dataset.code, msg["rep_app.sending"], "sending");
      const at = await position();
      if (at) Object.assign(report, at);
      saveOutbox([...outbox(), { url: data.post_url, report: report }]);
      status.dataset.sent = "1";
      showQueue();
      flush();
    });
  }
  window.addEventListener("online", flush);
  setInterval(flush, RETRY_MS);
  showQueue();
  flush();

  // --- the map: stops numbered as in the list; numbers that would cover each other are pushed apart, each on a
  // leader line to its place; the office is labelled. The map comes after the list, so its markers come last
  // in the keyboard order.
  const latLng = (lonlat) => [lonlat[1], lonlat[0]];
  const mapElement = document.getElementById("day-map");
  const map = L.map(mapElement, { zoomSnap: data.tiles ? 1 : 0.25, scrollWheelZoom: false });
  if (data.tiles) {
    L.tileLayer(data.tiles.url, { subdomains: data.tiles.subdomains, attribution: data.tiles.attribution, maxZoom: 19 }).addTo(map);
  } else {
    mapElement.classList.add("no-tiles");
  }
  const line = [latLng(data.start.lonlat), ...data.stops.map((s) => latLng([s[3], s[4]])), latLng(data.end.lonlat)];
  L.polyline(line, { color: "#1f4e9c", weight: 3, opacity: 0.8 }).addTo(map);
  for (const place of [data.start, data.end]) {
    const office = place.place === "office";
    L.marker(latLng(place.lonlat), {
      icon: office
        ? L.divIcon({ className: "office-icon", html: '<span class="office"></span><span class="office-label">' + msg["rep_app.office_label"] + "</span>", iconSize: [18, 18] })
        : L.divIcon({ className: "home-icon", html: '<span class="home"></span>', iconSize: [14, 14] }),
      title: office ? msg.office : msg.home,
      zIndexOffset: -1000, // under every stop number
    }).addTo(map);
  }
  const BADGE_PX = 24; // a number's circle (22 px) and a little air
  const ZOOM_CONTROL_PX = 46; // the +/- buttons down the map's left edge: no number goes under them
  const leaders = L.layerGroup().addTo(map);
  const badges = data.stops.map((stop) => {
    const badge = document.createElement("span");
    badge.className = "stop";
    badge.textContent = String(stop[0]);
    badge.dataset.seq = stop[0];
    badge.dataset.code = stop[1];
    const at = L.latLng(latLng([stop[3], stop[4]]));
    const marker = L.marker(at, {
      icon: L.divIcon({ className: "stop-icon", html: badge, iconSize: [22, 22] }),
      title: stop[0] + ". " + stop[2],
      zIndexOffset: 1000 - stop[0],
    }).addTo(map);
    return { at: at, marker: marker };
  });

  function declutter() {
    // a few rounds of pushing overlapping numbers apart, in screen pixels at the current zoom
    const points = badges.map((b) => map.latLngToLayerPoint(b.at));
    const shown = points.map((p) => [p.x, p.y]);
    // a stop in view keeps its number in view, half a number inside the map's edges
    const low = map.containerPointToLayerPoint([ZOOM_CONTROL_PX + BADGE_PX / 2, BADGE_PX / 2]);
    const high = map.containerPointToLayerPoint(map.getSize().subtract([BADGE_PX / 2, BADGE_PX / 2]));
    const inView = points.map((p) => p.x >= low.x - BADGE_PX && p.x <= high.x + BADGE_PX && p.y >= low.y - BADGE_PX && p.y <= high.y + BADGE_PX);
    for (let round = 0; round < 60; round++) {
      let moved = false;
      shown.forEach((p, k) => {
        if (!inView[k]) return;
        p[0] = Math.min(Math.max(p[0], low.x), high.x);
        p[1] = Math.min(Math.max(p[1], low.y), high.y);
      });
      for (let i = 0; i < shown.length; i++) {
        for (let j = i + 1; j < shown.length; j++) {
          let dx = shown[j][0] - shown[i][0], dy = shown[j][1] - shown[i][1];
          let gap = Math.hypot(dx, dy);
          if (gap >= BADGE_PX) continue;
          if (gap < 0.01) { const a = (i + j) * 2.4; dx = Math.cos(a); dy = Math.sin(a); gap = 1; }
          const push = (BADGE_PX - Math.min(gap, BADGE_PX)) / 2 + 0.5;
          shown[i][0] -= (dx / gap) * push; shown[i][1] -= (dy / gap) * push;
          shown[j][0] += (dx / gap) * push; shown[j][1] += (dy / gap) * push;
          moved = true;
        }
      }
      if (!moved) break;
    }
    leaders.clearLayers();
    badges.forEach((b, k) => {
      const placed = map.layerPointToLatLng(L.point(shown[k][0], shown[k][1]));
      b.marker.setLatLng(placed);
      if (Math.hypot(shown[k][0] - points[k].x, shown[k][1] - points[k].y) > 3) {
        L.polyline([b.at, placed], { color: "#1d232b", weight: 1, interactive: false }).addTo(leaders);
        L.circleMarker(b.at, { radius: 2, color: "#1d232b", weight: 1, fillOpacity: 1, interactive: false }).addTo(leaders);
      }
    });
  }
  function labelSides() {
    // the office's label on the side with room: it never runs off the map
    const middle = map.getSize().x / 2;
    for (const el of mapElement.querySelectorAll(".office-icon")) {
      el.classList.toggle("label-left", map.layerPointToContainerPoint(L.DomUtil.getPosition(el)).x > middle);
    }
  }
  map.on("zoomend moveend", declutter);
  map.on("moveend", labelSides);
  // the stops, and the start and end places when they are nearby (a distant office would shrink the route)
  const stopBounds = L.latLngBounds(badges.map((b) => b.at));
  const allBounds = L.latLngBounds(line);
  const near = allBounds.getNorthWest().distanceTo(allBounds.getSouthEast()) <= 3 * Math.max(stopBounds.getNorthWest().distanceTo(stopBounds.getSouthEast()), 500);
  map.fitBounds(near ? allBounds : stopBounds, {
    paddingTopLeft: [ZOOM_CONTROL_PX + BADGE_PX, BADGE_PX],
    paddingBottomRight: [BADGE_PX, BADGE_PX],
  });
  declutter();
  labelSides();
  document.body.dataset.renders = "1";
  // painted: two frames after the map is drawn (benchmarks/web_render.py measures up to this mark)
  requestAnimationFrame(() => requestAnimationFrame(() => performance.mark("day-page-painted")));
})();
