// The diff page: the outlets added (green), removed (red) and moved (amber) on the draft's map; the supervisor's
// publish button.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const msg = data.messages;
  const colours = { added: "#0b6b2b", removed: "#8a1c1c", moved: "#7a4b00" };
  const map = L.map("diff-map", { zoomSnap: data.tiles ? 1 : 0.25 });
  if (data.tiles) {
    L.tileLayer(data.tiles.url, { subdomains: data.tiles.subdomains, attribution: data.tiles.attribution, maxZoom: 19 }).addTo(map);
  }
  const latlngs = data.points.map((p) => {
    const latlng = [p.lonlat[1], p.lonlat[0]];
    L.circleMarker(latlng, { radius: 8, color: colours[p.kind], fillColor: colours[p.kind], fillOpacity: 0.7, weight: 2 })
      .bindTooltip(p.label)
      .addTo(map);
    return latlng;
  });
  if (latlngs.length) map.fitBounds(L.latLngBounds(latlngs).pad(0.2), { maxZoom: 16 });
  else map.setView([31.2, 121.4], 11);
  requestAnimationFrame(() => requestAnimationFrame(() => { // painted: what benchmarks/web_render.py times
    performance.mark("diff-page-painted");
    document.body.dataset.painted = "1";
  }));

  const publish = document.getElementById("publish");
  if (publish) {
    publish.addEventListener("click", async () => {
      publish.disabled = true;
      const result = document.getElementById("publish-result");
      const response = await fetch(data.publish_url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: "{}",
      });
      const body = await response.json();
      if (response.ok) {
        result.textContent = msg.published;
        document.getElementById("draft-status").textContent = msg.status[body.status];
        publish.hidden = true;
      } else {
        result.textContent = (body.detail && body.detail[0] && body.detail[0].msg) || String(response.status);
        publish.disabled = false;
      }
    });
  }
})();
