// SkyServe dashboard: reads only the public REST API (/api/v1/...), as any dashboard tool could.
// Services and replicas are polled every 2 s; a service's events come live over its server-sent event stream.
"use strict";
(() => {
  const POLL_MS = 2000;
  const $ = (sel, root = document) => root.querySelector(sel);
  const view = $("#view");
  let generation = 0;          // bumps on every navigation: stale loops and streams stop
  let streamAbort = null;

  // ---- the API, with the token only where the controller asks for one --------------------------------------
  const tokenKey = "skyserve-token";
  const token = () => sessionStorage.getItem(tokenKey);
  async function api(path, init = {}) {
    const headers = new Headers(init.headers || {});
    if (token()) headers.set("Authorization", "Bearer " + token());
    const response = await fetch(path, { ...init, headers });
    if (response.status === 401) { $("#token-form").hidden = false; throw new Error("the controller needs its API token"); }
    if (!response.ok) {
      let detail = response.statusText;
      try { const p = await response.json(); detail = p.detail || p.title || detail; } catch { /* not JSON */ }
      throw new Error(`${path}: ${response.status} ${detail}`);
    }
    return response;
  }
  const json = async path => (await api(path)).json();
  async function allPages(path) {           // follows Link: <...>; rel="next"
    let items = [], next = path;
    while (next) {
      const response = await api(next);
      items = items.concat(await response.json());
      const link = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("Link") || "");
      next = link ? path + new URL(link[1], location.href).search : null;
    }
    return items;
  }
  $("#token-form").addEventListener("submit", e => {
    e.preventDefault();
    sessionStorage.setItem(tokenKey, $("#token").value.trim());
    $("#token-form").hidden = true;
    route();
  });

  // ---- formatting --------------------------------------------------------------------------------------------
  const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const dollars = v => v == null ? "–" : (Math.abs(v) < 1 ? "$" + Number(v).toFixed(4) : "$" + Number(v).toFixed(2));
  const age = t => {
    if (!t) return "–";
    const s = Math.max(0, (Date.now() - Date.parse(t)) / 1000);
    return s < 90 ? Math.round(s) + "s" : s < 5400 ? Math.round(s / 60) + "m" : s < 172800 ? Math.round(s / 3600) + "h" : Math.round(s / 86400) + "d";
  };
  const time = t => new Date(t).toLocaleTimeString();
  const status = s => `<span class="status-${esc(s)}">${esc(s)}</span>`;
  const market = spot => spot ? '<span class="market-spot">spot</span>' : '<span class="market-on-demand">on-demand</span>';
  const mix = (spot, od) => {
    const n = spot + od;
    if (!n) return "–";
    return `<span class="mix" title="${spot} spot, ${od} on-demand"><span style="width:${100 * spot / n}%;background:var(--spot)"></span>` +
      `<span style="width:${100 * od / n}%;background:var(--od)"></span></span> ${spot}/${od}`;
  };
  const saving = c => c ? `<span class="saving">${dollars(c.saving)}</span> (${Number(c.saving_percent).toFixed(1)}%)` : "–";
  const card = (label, value, id) => `<div class="card"><div class="label">${label}</div><div class="value"${id ? ` id="${id}"` : ""}>${value}</div></div>`;

  function showError(e) {
    const box = $("#error");
    box.hidden = !e;
    box.textContent = e ? String(e.message || e) : "";
    $("#live").classList.toggle("stale", !!e);
  }

  // Runs fn now and every POLL_MS while this view is shown.
  function poll(gen, fn) {
    const tick = async () => {
      if (gen !== generation) return;
      try { await fn(); showError(null); } catch (e) { showError(e); }
      if (gen === generation) setTimeout(tick, POLL_MS);
    };
    tick();
  }

  // ---- the fleet --------------------------------------------------------------------------------------------
  function servicesView(gen) {
    view.innerHTML = `<h1>Services</h1><div class="cards" id="fleet"></div>
      <h2>Services</h2>
      <table id="services"><thead><tr><th>Name</th><th>Status</th><th>Version</th><th>Endpoint</th><th class="num">READY / target</th>
      <th>Spot / on-demand</th><th class="num">Req/s</th><th class="num">Cost so far</th><th class="num">$/h</th><th class="num">On demand would be</th><th>Saving</th><th>Age</th></tr></thead><tbody></tbody></table>
      <p class="muted" id="prices-from"></p>`;
    poll(gen, async () => {
      const [summary, services] = await Promise.all([json("/api/v1/summary"), allPages("/api/v1/services")]);
      if (gen !== generation) return;
      const c = summary.cost;
      $("#fleet").innerHTML = card("Services", summary.services) + card("Replicas READY", `${summary.ready_replicas} / ${summary.replicas}`) +
        card("Spot / on-demand", mix(summary.spot_replicas, summary.on_demand_replicas)) + card("Cost so far", dollars(c.total), "fleet-cost") +
        card("Cost per hour", dollars(c.per_hour)) + card("On demand would be", `${dollars(c.on_demand_equivalent)} <span class="muted">(${dollars(c.on_demand_equivalent_per_hour)}/h)</span>`) +
        card("Saving", saving(c));
      const byName = Object.fromEntries(summary.by_service.map(s => [s.name, s]));
      $("#services tbody").innerHTML = services.map(s => {
        const sc = byName[s.name]?.cost, rps = byName[s.name]?.requests_per_second;
        return `<tr data-service="${esc(s.name)}"><td><a href="#/services/${encodeURIComponent(s.name)}">${esc(s.name)}</a></td><td>${status(s.status)}</td>
          <td class="num">${s.version}</td><td>${s.endpoint ? `<code>${esc(s.endpoint)}</code>` : "–"}</td>
          <td class="num ready">${s.ready_replicas} / ${s.replicas}</td><td>${mix(s.spot_replicas, s.on_demand_replicas)}</td>
          <td class="num">${rps == null ? "–" : rps.toFixed(2)}</td><td class="num">${dollars(sc?.total)}</td><td class="num">${dollars(sc?.per_hour)}</td><td class="num">${dollars(sc?.on_demand_equivalent)}</td>
          <td>${saving(sc)}</td><td>${age(s.created_at)}</td></tr>`;
      }).join("") || `<tr><td colspan="12" class="muted">No services yet: skyserve up SPEC</td></tr>`;
      $("#prices-from").textContent = "On-demand counterfactual: the same replica-hours at " + summary.prices_from + ".";
    });
  }

  // ---- one service ------------------------------------------------------------------------------------------
  function serviceView(gen, name) {
    const path = "/api/v1/services/" + encodeURIComponent(name);
    view.innerHTML = `<h1>${esc(name)} <span id="svc-status"></span></h1><div class="cards" id="svc-cards"></div>
      <h2>READY replicas by market</h2>
      <div class="legend"><span><i style="background:var(--spot)"></i>spot</span><span><i style="background:var(--od)"></i>on-demand</span>
      <span class="muted">before this page opened: rebuilt from the replicas' ready and last-change times (up to an hour); then sampled every 2 s</span></div>
      <canvas id="chart" width="960" height="180"></canvas>
      <h2>Requests per second</h2>
      <div class="legend"><span><i style="background:#6b4fd8"></i>offered load (load balancers' reports, the autoscaler's window)</span></div>
      <canvas id="rps-chart" width="960" height="140"></canvas>
      <h2>Replicas</h2>
      <table id="replicas"><thead><tr><th class="num">ID</th><th class="num">Version</th><th>Status</th><th>Cloud / region / zone</th><th>Market</th>
      <th>Instance type</th><th class="num">$/h</th><th class="num">Cost so far</th><th>Age</th><th>Endpoint</th></tr></thead><tbody></tbody></table>
      <h2>Locations</h2>
      <table id="locations"><thead><tr><th>Cloud / region / zone</th><th>State for the placer</th><th class="num">Preemptions</th><th>Last preempted</th><th class="num">Spot $/h</th></tr></thead><tbody></tbody></table>
      <h2>Events</h2><ul id="timeline"></ul>`;
    const samples = [];
    poll(gen, async () => {
      const [s, locations] = await Promise.all([json(path + "?all=true"), json(path + "/locations")]); // finished replicas too: recent preemptions
      if (gen !== generation) return;
      const live = s.replicas.filter(r => !["FAILED", "FAILED_PROVISION", "FAILED_INITIAL_DELAY", "FAILED_PROBING", "FAILED_CLEANUP", "PREEMPTED"].includes(r.status));
      const ready = s.replicas.filter(r => r.status === "READY");
      const target = s.versions.find(v => v.version === s.version);
      $("#svc-status").innerHTML = status(s.status);
      $("#svc-cards").innerHTML = card("Endpoint", s.endpoint ? `<code>${esc(s.endpoint)}</code>` : "–") + card("Version", s.version) +
        card("READY / target", `${ready.length} / ${target ? target.min_replicas + (target.max_replicas !== target.min_replicas ? "–" + target.max_replicas : "") : live.length}`, "replica-count") +
        card("Spot / on-demand", mix(live.filter(r => r.is_spot).length, live.filter(r => !r.is_spot).length)) +
        card("Requests / s", Number(s.requests_per_second).toFixed(2)) +
        card("Cost so far", dollars(s.cost.total)) + card("Cost per hour", dollars(s.cost.per_hour)) +
        card("On demand would be", `${dollars(s.cost.on_demand_equivalent)} <span class="muted">(${dollars(s.cost.on_demand_equivalent_per_hour)}/h)</span>`) +
        card("Saving", saving(s.cost));
      $("#replicas tbody").innerHTML = s.replicas.map(r => `<tr data-replica="${r.replica_id}"><td class="num">${r.replica_id}</td><td class="num">${r.version}</td>
        <td>${status(r.status)}${r.notice_deadline ? ' <span class="muted">notice</span>' : ""}</td><td>${esc(r.location)}</td><td>${market(r.is_spot)}</td>
        <td>${esc(r.instance_type || "–")}</td><td class="num">${dollars(r.hourly_price)}</td><td class="num">${dollars(r.cost_to_date)}</td>
        <td>${age(r.created_at)}</td><td>${r.endpoint ? `<code>${esc(r.endpoint)}</code>` : "–"}</td></tr>`).join("")
        || `<tr><td colspan="10" class="muted">No replicas</td></tr>`;
      $("#locations tbody").innerHTML = locations.map(l => `<tr><td>${esc([l.cloud, l.region, l.zone].filter(Boolean).join("/"))}</td>
        <td>${status(l.state)}</td><td class="num">${l.preemptions}</td><td>${l.last_preempted_at ? time(l.last_preempted_at) : "–"}</td>
        <td class="num">${dollars(l.spot_price_per_hour)}</td></tr>`).join("") || `<tr><td colspan="5" class="muted">No locations yet</td></tr>`;
      if (!samples.length) samples.push(...history(s.replicas));
      samples.push({ t: Date.now(), spot: ready.filter(r => r.is_spot).length, od: ready.filter(r => !r.is_spot).length, rps: s.requests_per_second });
      if (samples.length > 900) samples.shift();
      drawChart($("#chart"), samples, [["spot", "#2a7de1"], ["od", "#e0892a"]], true);
      drawChart($("#rps-chart"), samples.filter(x => x.rps != null), [["rps", "#6b4fd8"]], false);
    });
    followEvents(gen, path + "/events");
  }

  // READY replicas by market before the page opened, from each replica's ready_at and (if it is no longer READY) the time
  // of its last change: an approximation (a replica that left READY and came back counts as READY throughout).
  function history(replicas) {
    const now = Date.now(), ready = replicas.filter(r => r.ready_at);
    if (!ready.length) return [];
    const from = Math.max(now - 3600e3, Math.min(...ready.map(r => Date.parse(r.ready_at))) - 5000);
    const points = [];
    for (let i = 0; i < 60; i++) {
      const t = from + (now - from) * i / 60;
      const up = ready.filter(r => Date.parse(r.ready_at) <= t && (r.status === "READY" || Date.parse(r.status_changed_at) > t));
      points.push({ t, spot: up.filter(r => r.is_spot).length, od: up.filter(r => !r.is_spot).length, rps: null });
    }
    return points;
  }

  // Stacked areas of the given series (key, colour), bottom first, over the samples' times.
  function drawChart(canvas, samples, series, integers) {
    const g = canvas.getContext("2d"), w = canvas.width, h = canvas.height, pad = 28;
    g.clearRect(0, 0, w, h);
    const total = s => series.reduce((sum, [key]) => sum + (s[key] || 0), 0);
    const max = Math.max(integers ? 1 : 0.1, ...samples.map(total));
    const t0 = samples[0].t, span = Math.max(1, samples[samples.length - 1].t - t0);
    const x = t => pad + (w - 2 * pad) * (t - t0) / span, y = v => h - pad - (h - 2 * pad) * v / max;
    g.strokeStyle = "#dde1e8"; g.fillStyle = "#6b7385"; g.font = "11px system-ui";
    const step = integers ? Math.max(1, Math.ceil(max / 4)) : max / 4;
    for (let v = 0; v <= max + 1e-9; v += step) {
      g.beginPath(); g.moveTo(pad, y(v)); g.lineTo(w - pad, y(v)); g.stroke(); g.fillText(integers ? String(v) : v.toFixed(1), 2, y(v) + 4);
    }
    if (samples.length > 1) {
      let below = () => 0;
      for (const [key, colour] of series) {
        const lower = below, upper = s => lower(s) + (s[key] || 0);
        g.beginPath();
        samples.forEach((s, i) => i ? g.lineTo(x(s.t), y(upper(s))) : g.moveTo(x(s.t), y(upper(s))));
        for (let i = samples.length - 1; i >= 0; i--) g.lineTo(x(samples[i].t), y(lower(samples[i])));
        g.closePath(); g.fillStyle = colour; g.globalAlpha = .75; g.fill(); g.globalAlpha = 1;
        below = upper;
      }
    }
    g.fillStyle = "#6b7385";
    g.fillText(new Date(t0).toLocaleTimeString(), pad, h - 6);
    g.fillText(new Date(samples[samples.length - 1].t).toLocaleTimeString(), w - pad - 60, h - 6);
  }

  // The event stream, read with fetch (EventSource cannot send the Authorization header); reconnects after the last id.
  async function followEvents(gen, path) {
    let last = 0;
    const list = () => $("#timeline");
    const add = e => {
      last = Math.max(last, e.id);
      const li = document.createElement("li");
      const text = `${e.replica_id != null ? "replica " + e.replica_id + ": " : "service: "}${e.from_status ? e.from_status + " → " : ""}${e.to_status}`;
      li.className = /PREEMPTED|interruption notice/.test(e.to_status + " " + e.reason) ? "preemption" : "";
      li.dataset.to = e.to_status;
      if (e.replica_id != null) li.dataset.replica = e.replica_id;
      li.innerHTML = `<time datetime="${esc(e.at)}">${time(e.at)}</time><b>${esc(text)}</b> <span class="muted">${esc(e.reason)}</span>`;
      list()?.prepend(li);
    };
    while (gen === generation) {
      streamAbort = new AbortController();
      try {
        const response = await api(`${path}?follow=true&after=${last}`, { signal: streamAbort.signal, headers: { Accept: "text/event-stream" } });
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end); buffer = buffer.slice(end + 2);
            const data = block.split("\n").filter(l => l.startsWith("data:")).map(l => l.slice(5).trim()).join("");
            if (data && gen === generation) add(JSON.parse(data));
          }
        }
      } catch (e) {
        if (gen !== generation) return;
        showError(e);
      }
      await new Promise(r => setTimeout(r, POLL_MS));
    }
  }

  // ---- routing ----------------------------------------------------------------------------------------------
  function route() {
    generation++;
    streamAbort?.abort();
    const gen = generation;
    const m = /^#\/services\/(.+)$/.exec(location.hash);
    if (m) serviceView(gen, decodeURIComponent(m[1])); else servicesView(gen);
  }
  window.addEventListener("hashchange", route);
  route();
})();
