// The jswarm dashboard: polls /api/state every second and redraws. Read only; no framework, no build step.
(function () {
  "use strict";
  var POLL_MS = 1000;
  var selected = null;
  var last = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function row(cells) {
    var tr = el("tr");
    cells.forEach(function (c) { tr.appendChild(el("td", null, c)); });
    return tr;
  }

  function ago(ts) {
    if (!ts) { return ""; }
    var s = Math.max(0, Math.round((Date.now() - Date.parse(ts)) / 1000));
    if (s < 60) { return s + " s ago"; }
    if (s < 3600) { return Math.round(s / 60) + " min ago"; }
    return Math.round(s / 3600) + " h ago";
  }

  function drawServices(state) {
    var body = document.querySelector("#services tbody");
    body.textContent = "";
    state.services.sort(function (a, b) { return a.name.localeCompare(b.name); }).forEach(function (s) {
      var replicas = s.mode === "global" ? s.running + " (global)" : s.running + "/" + s.desired;
      var tr = row([s.name, s.mode, replicas, s.image || "", s.ports.join(", "), s.update || ""]);
      tr.dataset.service = s.id;
      tr.dataset.replicas = replicas;
      if (s.id === selected) { tr.className = "selected"; }
      tr.addEventListener("click", function () { selected = s.id; draw(last); });
      body.appendChild(tr);
    });
  }

  function drawDetail(state) {
    var box = document.getElementById("detail");
    var svc = state.services.filter(function (s) { return s.id === selected; })[0];
    if (!svc) { box.hidden = true; return; }
    box.hidden = false;
    document.getElementById("detail-title").textContent = "Tasks of " + svc.name
      + (svc.updateMessage ? " (" + svc.updateMessage + ")" : "");
    var hosts = {};
    state.nodes.forEach(function (n) { hosts[n.id] = n.hostname; });
    var body = document.querySelector("#detail-tasks tbody");
    body.textContent = "";
    state.tasks.filter(function (t) { return t.service === selected; })
      .sort(function (a, b) { return a.name.localeCompare(b.name); })
      .forEach(function (t) {
        body.appendChild(row([t.name, hosts[t.node] || "", t.state + (t.desired !== "running" ? " -> " + t.desired : ""),
          ago(t.since), t.err || t.message || ""]));
      });
  }

  function drawNodes(state) {
    var box = document.getElementById("nodes");
    box.textContent = "";
    var names = {};
    state.services.forEach(function (s) { names[s.id] = s.name; });
    state.nodes.sort(function (a, b) { return a.hostname.localeCompare(b.hostname); }).forEach(function (n) {
      var col = el("div", "node " + (n.state || "unknown"));
      col.dataset.node = n.id;
      col.appendChild(el("h3", null, n.hostname + (n.leader ? " (leader)" : "")));
      col.appendChild(el("div", "meta", [n.role, n.availability, n.state].filter(Boolean).join(" · ")));
      state.tasks.filter(function (t) { return t.node === n.id; })
        .sort(function (a, b) { return a.name.localeCompare(b.name); })
        .forEach(function (t) {
          var d = el("div", "task " + t.state);
          d.dataset.task = t.id;
          d.appendChild(el("span", "state", t.state));
          d.appendChild(el("span", "name", t.name));
          d.title = t.err || t.message || "";
          col.appendChild(d);
        });
      box.appendChild(col);
    });
  }

  function draw(state) {
    if (!state) { return; }
    drawServices(state);
    drawDetail(state);
    drawNodes(state);
  }

  function setStatus(text, error) {
    var s = document.getElementById("status");
    s.textContent = text;
    s.className = error ? "status error" : "status";
  }

  function poll() {
    fetch("/api/state", { cache: "no-store" })
      .then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      })
      .then(function (r) {
        if (!r.ok) {
          setStatus(r.body.message || "unavailable", true);
          return;
        }
        last = r.body;
        draw(last);
        setStatus(last.nodes.length + " nodes, " + last.services.length + " services, updated "
          + new Date().toLocaleTimeString(), false);
      })
      .catch(function (e) { setStatus("cannot reach the manager: " + e.message, true); })
      .then(function () { setTimeout(poll, POLL_MS); });
  }

  poll();
}());
