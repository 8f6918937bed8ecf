// The ride-along week: per day a map of the morning with the rep (blue, numbered by the rep's sequence) up to the
// point where the supervisor leaves the route, then the afternoon's spot checks (brown, numbered in order) and
// the way back to the office.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const latlng = (p) => [p[1], p[0]];

  function numbered(place, kind, label) {
    const badge = document.createElement("span");
    badge.className = "stop " + kind;
    badge.textContent = String(place[0]);
    return L.marker(latlng(place[2]), {
      icon: L.divIcon({ className: "stop-icon", html: badge, iconSize: [22, 22] }),
      title: label,
      alt: label,
      keyboard: false, // the tables above list every stop; markers stay out of the tab order
    }).bindTooltip(label);
  }

  document.querySelectorAll(".ride-map").forEach((element) => {
    const day = data.days[element.dataset.day];
    const map = L.map(element, { zoomSnap: data.tiles ? 1 : 0.25, keyboard: false });
    if (data.tiles) {
      L.tileLayer(data.tiles.url, { subdomains: data.tiles.subdomains, attribution: data.tiles.attribution, maxZoom: 19 }).addTo(map);
    } else {
      element.classList.add("no-tiles");
    }
    const morning = [latlng(day.office), ...day.morning.map((s) => latlng(s[2]))];
    const afternoon = [latlng(day.leave), ...day.afternoon.map((s) => latlng(s[2])), latlng(day.office)];
    L.polyline(morning, { color: "#1f4e9c", weight: 3, opacity: 0.8 }).addTo(map);
    L.polyline(afternoon, { color: "#8f4a00", weight: 3, opacity: 0.8, dashArray: "6 5" }).addTo(map);
    L.marker(latlng(day.office), {
      icon: L.divIcon({ className: "office-icon", html: '<span class="office"></span>', iconSize: [18, 18] }),
      title: data.messages.legend_office,
      keyboard: false,
    }).addTo(map);
    day.morning.forEach((s) => numbered(s, "morning", s[1]).addTo(map));
    day.afternoon.forEach((s) => numbered(s, "afternoon", s[1]).addTo(map));
    map.fitBounds(L.latLngBounds([...morning, ...afternoon]).pad(0.1), { maxZoom: 16 });
  });
  requestAnimationFrame(() => requestAnimationFrame(() => { // painted: what benchmarks/web_render.py times
    performance.mark("ride-along-painted");
    document.body.dataset.painted = "1";
  }));
})();
