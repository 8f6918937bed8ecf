// The plan map: territories, routes in visiting order with numbered stops (the day list's numbers), the
// office and the unplaced outlets, filtered by rep, week and weekday. Data: the page's #plan-data JSON,
// coordinates already shifted on the server for the configured base map.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("plan-data").textContent);
  const msg = data.messages;
  const format = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key]);
  const latLng = (lonlat) => [lonlat[1], lonlat[0]];
  const repsById = new Map(data.reps.map((rep) => [rep.id, rep]));
  const workloadByRouteKey = new Map(data.workload.map((d) => [d.rep_id + ":" + d.day, d]));

  const mapElement = document.getElementById("map");
  // whole zoom levels on tiles (fractional ones leave seams between tiles); finer fitting on a plain background
  const map = L.map(mapElement, { zoomSnap: data.tiles ? 1 : 0.25 });
  if (data.tiles) {
    L.tileLayer(data.tiles.url, { subdomains: data.tiles.subdomains, attribution: data.tiles.attribution, maxZoom: 19 }).addTo(map);
  } else {
    mapElement.classList.add("no-tiles"); // plain background: works without internet
  }
  L.control.scale({ imperial: false }).addTo(map);
  const territoryLayer = L.layerGroup().addTo(map);
  const routeLayer = L.layerGroup().addTo(map);
  const stopLayer = L.layerGroup().addTo(map);
  const unplacedLayer = L.layerGroup().addTo(map);

  L.marker(latLng(data.office.lonlat), {
    icon: L.divIcon({ className: "office-icon", html: '<span class="office"></span>', iconSize: [18, 18] }),
    zIndexOffset: 10000,
    title: msg.office + " " + data.office.name,
  }).addTo(map);

  // The workload table's swatches and bars: their colours and widths as data, set here (no inline styles).
  for (const node of document.querySelectorAll("[data-colour]")) node.style.background = node.dataset.colour;
  for (const node of document.querySelectorAll("[data-width]")) node.style.width = node.dataset.width + "%";

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function stopIcon(rep, route, stop, colour) {
    const badge = element("span", "stop", String(stop[0]));
    badge.style.background = colour;
    badge.dataset.rep = rep.id;
    badge.dataset.day = route.day;
    badge.dataset.seq = stop[0];
    badge.dataset.code = stop[1];
    return L.divIcon({ className: "stop-icon", html: badge, iconSize: [22, 22] });
  }

  function stopPopup(rep, route, stop) {
    const box = element("div", "popup");
    box.append(element("strong", "", stop[0] + ". " + stop[2]));
    box.append(element("div", "", stop[1]));
    const when = format(msg.week_n, { n: route.week + 1 }) + " " + msg.weekdays[route.weekday];
    box.append(element("div", "", rep.code + " " + rep.name + " · " + when + " · " + msg.arrival + " " + stop[5]));
    return box;
  }

  function unplacedPopup(u) {
    const box = element("div", "popup");
    box.append(element("strong", "", u.outlet_name));
    box.append(element("div", "", u.outlet_code + " · " + u.visits + " " + msg.visits));
    box.append(element("div", "", (msg.reasons[u.reason] || u.reason)));
    return box;
  }

  const select = {
    rep: document.getElementById("filter-rep"),
    week: document.getElementById("filter-week"),
    weekday: document.getElementById("filter-weekday"),
  };

  function filters() {
    return {
      rep: select.rep.value === "" ? null : Number(select.rep.value),
      week: Number(select.week.value), // 1-based; 0 = every week
      weekday: select.weekday.value === "" ? null : Number(select.weekday.value),
    };
  }

  const showsRep = (f, repId) => f.rep === null || f.rep === repId;
  // every rep: a colour per rep; one rep: a colour per weekday, so its days tell apart
  const colourOf = (f, repId, weekday) => (f.rep === null ? repsById.get(repId).colour : data.day_colours[weekday]);
  const hm = (seconds) => Math.floor(seconds / 3600) + ":" + String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
  const showsDay = (f, week, weekday) => (f.week === 0 || f.week === week + 1) && (f.weekday === null || f.weekday === weekday);

  function renderDayList(f) {
    const list = document.getElementById("day-list");
    const hint = document.getElementById("day-list-hint");
    const link = document.getElementById("day-page-link");
    list.replaceChildren();
    link.hidden = true;
    if (f.rep === null || f.week === 0 || f.weekday === null) {
      hint.textContent = msg.day_list_hint;
      return;
    }
    const day = 7 * (f.week - 1) + f.weekday;
    const route = data.routes.find((r) => r.rep_id === f.rep && r.day === day);
    if (!route) {
      hint.textContent = msg.no_visits;
      return;
    }
    hint.textContent = repsById.get(f.rep).code + " · " + format(msg.week_n, { n: f.week }) + " " + msg.weekdays[f.weekday];
    for (const stop of route.stops) {
      const item = element("li", "day-stop");
      item.dataset.seq = stop[0];
      item.dataset.code = stop[1];
      const seq = element("span", "seq", String(stop[0]));
      seq.style.background = colourOf(f, f.rep, f.weekday);
      item.append(seq, element("span", "code", stop[1]),
        element("span", "name", stop[2]), element("span", "time", stop[5]));
      list.append(item);
    }
    const date = workloadByRouteKey.get(route.rep_id + ":" + route.day).date;
    link.href = "/reps/" + route.rep_id + "/day/" + date + "/page?lang=" + encodeURIComponent(data.language);
    link.hidden = false;
  }

  function remember(f) {
    // the URL (and the language links) keep the filters, so a view can be shared or reloaded in another language
    const apply = (url) => {
      url.searchParams.delete("rep");
      url.searchParams.delete("weekday");
      if (f.rep !== null) url.searchParams.set("rep", f.rep);
      url.searchParams.set("week", f.week);
      if (f.weekday !== null) url.searchParams.set("weekday", ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][f.weekday]);
      return url;
    };
    history.replaceState(null, "", apply(new URL(location.href)));
    for (const link of document.querySelectorAll("a.lang-switch")) link.href = apply(new URL(link.href)).toString();
  }

  function choose(f) {
    select.rep.value = f.rep === null ? "" : String(f.rep);
    select.week.value = String(f.week);
    select.weekday.value = f.weekday === null ? "" : String(f.weekday);
    render();
  }

  // a cell: the mean per day, and under it the fewest–most (or the distance)
  function figure(main, under) {
    const cell = element("td", "num", main);
    if (under !== undefined) cell.append(element("small", "", under));
    return cell;
  }

  function renderSummary(f, days) {
    const body = document.querySelector("#rep-summary tbody");
    body.replaceChildren();
    for (const rep of data.reps) {
      const mine = days.filter((d) => d.rep_id === rep.id);
      if (!mine.length) continue;
      const visits = mine.map((d) => d.visits), work = mine.map((d) => d.workload_s);
      const row = element("tr");
      row.dataset.rep = rep.id;
      const pick = element("button", "row-select", rep.code);
      pick.type = "button";
      pick.title = format(msg.select_rep, { rep: rep.code + " " + rep.name });
      pick.addEventListener("click", () => choose({ ...filters(), rep: rep.id }));
      const swatch = element("span", "swatch");
      swatch.style.background = rep.colour;
      const name = element("td");
      name.append(swatch, pick);
      row.append(
        name,
        element("td", "num", String(mine.length)),
        figure(mean(visits).toFixed(1), Math.min(...visits) + "–" + Math.max(...visits)),
        figure(hm(mean(work)), hm(Math.min(...work)) + "–" + hm(Math.max(...work))),
        figure(hm(mean(mine.map((d) => d.idle_s)))),
        figure(hm(mean(mine.map((d) => d.travel_s))), (mean(mine.map((d) => d.distance_m)) / 1000).toFixed(1) + " km"),
      );
      body.append(row);
    }
  }

  function renderLegend(f) {
    const legend = document.getElementById("legend");
    legend.replaceChildren();
    const entry = (colour, text) => {
      const item = element("li");
      const swatch = element("span", "swatch");
      swatch.style.background = colour;
      item.append(swatch, document.createTextNode(text));
      legend.append(item);
    };
    if (f.rep === null) {
      for (const rep of data.reps) entry(rep.colour, rep.code + " " + rep.name);
    } else {
      msg.weekdays.forEach((name, weekday) => {
        if (f.weekday === null || f.weekday === weekday) entry(data.day_colours[weekday], name);
      });
    }
  }

  // the key figures of what the filters show (coverage and unplaced stay the plan's)
  function renderKeyFigures(days) {
    const visits = days.map((d) => d.visits);
    const travel = days.reduce((a, d) => a + d.travel_s, 0), distance = days.reduce((a, d) => a + d.distance_m, 0);
    document.getElementById("kpi-travel").textContent = (distance / 1000).toFixed(1) + " km · " + hm(travel) + " h";
    document.getElementById("kpi-visits-per-day").textContent = days.length
      ? format(msg.visits_per_day_range, { mean: mean(visits).toFixed(1), min: Math.min(...visits), max: Math.max(...visits) })
      : "–";
  }

  // a workload row shows its rep's day
  for (const row of document.querySelectorAll("#workload tbody tr")) {
    row.addEventListener("click", () => {
      const d = row.dataset;
      choose({ rep: Number(d.rep), week: Number(d.week), weekday: Number(d.weekday) });
    });
  }

  let renders = 0;

  function render() {
    const f = filters();
    territoryLayer.clearLayers();
    routeLayer.clearLayers();
    stopLayer.clearLayers();
    unplacedLayer.clearLayers();
    const bounds = L.latLngBounds([latLng(data.office.lonlat)]);
    for (const rep of data.reps) {
      if (!showsRep(f, rep.id) || !rep.territory) continue;
      const style = { color: rep.colour, weight: 1.5, dashArray: "5 4", fillColor: rep.colour, fillOpacity: 0.07 };
      L.geoJSON(rep.territory, { style, pointToLayer: (_feature, at) => L.circleMarker(at, style), interactive: false })
        .addTo(territoryLayer);
    }
    for (const rep of data.reps) {
      if (!showsRep(f, rep.id) || !rep.home) continue;
      const mark = element("span", "home");
      mark.style.borderColor = rep.colour;
      L.marker(latLng(rep.home), {
        icon: L.divIcon({ className: "home-icon", html: mark, iconSize: [14, 14] }),
        title: msg.home + " " + rep.code + " " + rep.name,
      }).addTo(territoryLayer);
    }
    let routes = 0, visits = 0, distance = 0;
    for (const route of data.routes) {
      if (!showsRep(f, route.rep_id) || !showsDay(f, route.week, route.weekday)) continue;
      const rep = repsById.get(route.rep_id);
      routes += 1;
      visits += route.stops.length;
      distance += route.distance_m;
      const line = route.line.map(latLng);
      const colour = colourOf(f, route.rep_id, route.weekday);
      L.polyline(line, { color: colour, weight: 3, opacity: 0.75 })
        // an element, not a string: Leaflet would parse a string as HTML, and a rep's code is anyone's text
        .bindTooltip(element("span", "", rep.code + " · " + format(msg.week_n, { n: route.week + 1 }) + " " + msg.weekdays[route.weekday]))
        .addTo(routeLayer);
      line.forEach((point) => bounds.extend(point));
      for (const stop of route.stops) {
        L.marker(latLng([stop[3], stop[4]]), { icon: stopIcon(rep, route, stop, colour), zIndexOffset: -stop[0] })
          .bindPopup(() => stopPopup(rep, route, stop))
          .addTo(stopLayer);
      }
    }
    for (const u of data.unplaced) {
      if (!showsRep(f, u.rep_id)) continue;
      L.marker(latLng(u.lonlat), {
        icon: L.divIcon({ className: "unplaced-icon", html: '<span class="unplaced-mark">!</span>', iconSize: [18, 18] }),
        title: u.outlet_code,
      }).bindPopup(() => unplacedPopup(u)).addTo(unplacedLayer);
      bounds.extend(latLng(u.lonlat));
    }
    map.fitBounds(bounds.pad(0.05));
    document.getElementById("shown").textContent = format(msg.shown, { routes, visits, km: (distance / 1000).toFixed(1) });
    for (const row of document.querySelectorAll("#workload tbody tr")) {
      const d = row.dataset;
      row.hidden = !(showsRep(f, Number(d.rep)) && showsDay(f, Number(d.week) - 1, Number(d.weekday)));
    }
    for (const row of document.querySelectorAll("#unplaced tbody tr")) {
      row.hidden = !(f.rep === null || row.dataset.rep === String(f.rep));
    }
    const days = data.workload.filter((d) => showsRep(f, d.rep_id) && showsDay(f, d.week, d.weekday));
    renderSummary(f, days);
    renderLegend(f);
    renderKeyFigures(days);
    renderDayList(f);
    remember(f);
    renders += 1;
    document.body.dataset.renders = renders;
  }

  for (const control of Object.values(select)) control.addEventListener("change", render);
  render();
  performance.mark("plan-map-rendered");
  // painted: two animation frames after the markers entered the DOM
  requestAnimationFrame(() => requestAnimationFrame(() => {
    performance.mark("plan-map-painted");
    document.body.dataset.painted = "1";
  }));
})();
