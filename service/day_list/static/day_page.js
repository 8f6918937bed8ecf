// The rep's small day map: the start and end places, the route in visiting order and the stops numbered as
// in the list below it. Data: the page's #day-data JSON, coordinates shifted on the server for the base map.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("day-data").textContent);
  const msg = data.messages;
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
    L.marker(latLng(place.lonlat), {
      icon: place.place === "office"
        ? L.divIcon({ className: "office-icon", html: '<span class="office"></span>', iconSize: [18, 18] })
        : L.divIcon({ className: "home-icon", html: '<span class="home"></span>', iconSize: [14, 14] }),
      title: place.place === "office" ? msg.office : msg.home,
      zIndexOffset: 10000,
    }).addTo(map);
  }
  for (const stop of data.stops) {
    const badge = document.createElement("span");
    badge.className = "stop";
    badge.textContent = String(stop[0]);
    badge.dataset.seq = stop[0];
    badge.dataset.code = stop[1];
    L.marker(latLng([stop[3], stop[4]]), {
      icon: L.divIcon({ className: "stop-icon", html: badge, iconSize: [22, 22] }),
      title: stop[0] + ". " + stop[2],
      zIndexOffset: -stop[0],
    }).addTo(map);
  }
  map.fitBounds(L.latLngBounds(line).pad(0.08));
  document.body.dataset.renders = "1";
})();
