/* wbsec explorer: legend, filters, search, year selector and the details panel.
   Every piece of data reaches the page through textContent or DOM properties, never as HTML. */
(function () {
  "use strict";

  var timings = { start: performance.now() };
  var data = JSON.parse(document.getElementById("wbsec-data").textContent);
  timings.parsed = performance.now();
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  timings.datasets = performance.now();
  var container = document.getElementById("network");
  var details = document.getElementById("details");
  var searchStatus = document.getElementById("search-status");

  var state = { kinds: {}, relations: {}, year: null, started: performance.now() };
  var nodeIndex = {};
  var tiesOf = {};
  data.nodes.forEach(function (n) { nodeIndex[n.id] = n; tiesOf[n.id] = []; });
  data.edges.forEach(function (e) { tiesOf[e.from].push(e); if (e.to !== e.from) { tiesOf[e.to].push(e); } });
  var kindCaption = {};
  data.kinds.forEach(function (k) { kindCaption[k.name] = k.caption; });
  var relationCaption = {};
  data.relations.forEach(function (r) { relationCaption[r.name] = r.caption; });

  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  timings.network = performance.now();
  var api = {
    network: network, nodes: nodes, edges: edges, data: data, timings: timings,
    firstDraw: null, stabilised: !data.physics, select: selectNode, apply: applyFilters
  };
  window.wbsec = api;
  network.once("afterDrawing", function () { api.firstDraw = timings.firstDraw = performance.now(); });
  if (data.physics) {
    network.once("stabilizationIterationsDone", function () {
      // Freeze once settled: the drawing stays still and cheap, nodes can still be dragged.
      network.setOptions({ physics: { enabled: false } });
      api.stabilised = true;
      network.fit({ animation: false });
    });
  }

  // ---- small DOM helpers (text only) ---------------------------------------------------------
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function labelOf(id) { return nodeIndex[id] ? String(nodeIndex[id].name) : String(id); }
  function fmt(v) {
    if (typeof v !== "number") { return String(v); }
    return Number.isInteger(v) ? String(v) : String(parseFloat(v.toPrecision(3)));
  }
  var directedRelation = {};
  data.relations.forEach(function (r) { directedRelation[r.name] = r.directed; });
  function directed(e) { return !!directedRelation[e.relation]; }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  // ---- legend swatches drawn on tiny canvases (no images, no inline styles) ----------------------
  function swatch(draw) {
    var ratio = window.devicePixelRatio || 1;
    var c = document.createElement("canvas");
    c.width = 26 * ratio; c.height = 16 * ratio;
    c.setAttribute("aria-hidden", "true");
    c.style.width = "26px"; c.style.height = "16px";
    var ctx = c.getContext("2d");
    ctx.scale(ratio, ratio);
    draw(ctx);
    return c;
  }
  function shapePath(ctx, shape, x, y, r) {
    ctx.beginPath();
    var i, a;
    if (shape === "square") { ctx.rect(x - r, y - r, 2 * r, 2 * r); }
    else if (shape === "diamond") { ctx.moveTo(x, y - r * 1.25); ctx.lineTo(x + r * 1.25, y); ctx.lineTo(x, y + r * 1.25); ctx.lineTo(x - r * 1.25, y); ctx.closePath(); }
    else if (shape === "triangle") { ctx.moveTo(x, y - r * 1.2); ctx.lineTo(x + r * 1.2, y + r * 0.9); ctx.lineTo(x - r * 1.2, y + r * 0.9); ctx.closePath(); }
    else if (shape === "triangleDown") { ctx.moveTo(x, y + r * 1.2); ctx.lineTo(x + r * 1.2, y - r * 0.9); ctx.lineTo(x - r * 1.2, y - r * 0.9); ctx.closePath(); }
    else if (shape === "star") {
      for (i = 0; i < 10; i++) {
        a = -Math.PI / 2 + i * Math.PI / 5;
        var rr = i % 2 === 0 ? r * 1.35 : r * 0.6;
        if (i === 0) { ctx.moveTo(x + rr * Math.cos(a), y + rr * Math.sin(a)); } else { ctx.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a)); }
      }
      ctx.closePath();
    } else if (shape === "hexagon") {
      for (i = 0; i < 6; i++) {
        a = Math.PI / 6 + i * Math.PI / 3;
        if (i === 0) { ctx.moveTo(x + r * 1.15 * Math.cos(a), y + r * 1.15 * Math.sin(a)); } else { ctx.lineTo(x + r * 1.15 * Math.cos(a), y + r * 1.15 * Math.sin(a)); }
      }
      ctx.closePath();
    } else { ctx.arc(x, y, r, 0, 2 * Math.PI); }
  }
  function nodeSwatch(shape, color) {
    return swatch(function (ctx) {
      shapePath(ctx, shape, 13, 8, 5.5);
      ctx.fillStyle = color; ctx.fill();
      ctx.lineWidth = 1; ctx.strokeStyle = "rgba(0,0,0,.35)"; ctx.stroke();
    });
  }
  function edgeSwatch(color, dashes) {
    return swatch(function (ctx) {
      ctx.beginPath(); ctx.moveTo(2, 8); ctx.lineTo(24, 8);
      ctx.lineWidth = 2.5; ctx.strokeStyle = color;
      if (dashes) { ctx.setLineDash([5, 3]); }
      ctx.stroke();
    });
  }

  // ---- filters -----------------------------------------------------------------------------------
  function filterItem(list, group, name, caption, count, canvas) {
    var li = el("li");
    var label = el("label");
    var box = el("input");
    box.type = "checkbox"; box.checked = true; box.value = name;
    box.dataset.group = group;
    box.addEventListener("change", function () {
      state[group][name] = !box.checked;
      li.classList.toggle("off", !box.checked);
      applyFilters();
    });
    label.appendChild(box);
    label.appendChild(canvas);
    label.appendChild(el("span", "name", caption));
    label.appendChild(el("span", "count", count));
    li.appendChild(label);
    list.appendChild(li);
  }
  var kindList = document.getElementById("kind-filters");
  data.kinds.forEach(function (k) {
    var color = data.colorBy === "community" ? "#c7cdd2" : k.color;
    filterItem(kindList, "kinds", k.name, k.caption, k.count, nodeSwatch(k.shape, color));
  });
  var relationList = document.getElementById("relation-filters");
  data.relations.forEach(function (r) {
    filterItem(relationList, "relations", r.name, r.caption, r.count, edgeSwatch(r.color, r.dashes));
  });
  if (data.negative.count > 0) {
    var neg = el("li", "static");
    var negLabel = el("label");
    negLabel.appendChild(edgeSwatch(data.negative.color, false));
    negLabel.appendChild(el("span", "name", "Negative tie (any relation)"));
    negLabel.appendChild(el("span", "count", data.negative.count));
    neg.appendChild(negLabel);
    relationList.appendChild(neg);
  }

  function year(date) {
    var m = /^(-?\d{4})/.exec(date || "");
    return m ? parseInt(m[1], 10) : null;
  }
  function inYear(e) {
    if (state.year === null) { return true; }
    var from = year(e.since), to = year(e.until);
    if (from !== null && from > state.year) { return false; }
    if (to !== null && to < state.year) { return false; }
    return true;
  }
  function applyFilters() {
    var nodeUpdates = [], edgeUpdates = [];
    var hiddenNode = {};
    nodes.forEach(function (n) {
      var hide = !!state.kinds[n.kind];
      hiddenNode[n.id] = hide;
      if (!!n.hidden !== hide) { nodeUpdates.push({ id: n.id, hidden: hide }); }
    });
    if (nodeUpdates.length) { nodes.update(nodeUpdates); }
    var shownEdges = 0;
    edges.forEach(function (e) {
      var hide = !!state.relations[e.relation] || hiddenNode[e.from] || hiddenNode[e.to] || !inYear(e);
      if (!hide) { shownEdges += 1; }
      if (!!e.hidden !== hide) { edgeUpdates.push({ id: e.id, hidden: hide }); }
    });
    if (edgeUpdates.length) { edges.update(edgeUpdates); }
    var shownNodes = 0;
    Object.keys(hiddenNode).forEach(function (id) { if (!hiddenNode[id]) { shownNodes += 1; } });
    document.getElementById("shown").textContent =
      "Showing " + shownNodes + " of " + plural(nodes.length, "node", "nodes") +
      ", " + shownEdges + " of " + plural(edges.length, "tie", "ties") + ".";
  }

  // ---- year selector -----------------------------------------------------------------------------
  var yearSelect = document.getElementById("year");
  if (data.years) {
    document.getElementById("year-box").hidden = false;
    var all = el("option", null, "All years");
    all.value = "";
    yearSelect.appendChild(all);
    var years = data.years.slice();
    var first = years[0], last = years[years.length - 1];
    if (last - first <= 120) {  // every year in between, so gaps in the record show as years too
      years = [];
      for (var y = first; y <= last; y++) { years.push(y); }
    }
    years.sort(function (a, b) { return b - a; }).forEach(function (y) {
      var opt = el("option", null, y);
      opt.value = String(y);
      yearSelect.appendChild(opt);
    });
    yearSelect.addEventListener("change", function () {
      state.year = yearSelect.value === "" ? null : parseInt(yearSelect.value, 10);
      applyFilters();
    });
  }

  // ---- reading notes -------------------------------------------------------------------------------
  var notes = document.getElementById("reading");
  [
    "Node size: " + data.sizeBy + ".",
    data.colorBy === "community" ? "Node colour: community (shape still shows the kind)." : "Node colour and shape: kind; paler polities lie outside the Western Balkans.",
    "Thick dark border: one of the six Western Balkan polities.",
    "Tie width: weight (e.g. number of agreements). Red: a negative tie.",
    "Dashed: cooperation missing (magenta: a stated absence; black: a gap found by the analysis)."
  ].concat(data.gapRule ? [data.gapRule] : []).forEach(function (t) { notes.appendChild(el("li", null, t)); });

  // ---- search --------------------------------------------------------------------------------------
  var datalist = document.getElementById("labels");
  var byLabel = data.nodes.slice().sort(function (a, b) {
    var x = String(a.name), y = String(b.name);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  byLabel.forEach(function (n) {
    var opt = document.createElement("option");
    opt.value = String(n.name);
    datalist.appendChild(opt);
  });
  function findNode(text) {
    var q = text.trim().toLowerCase();
    if (!q) { return null; }
    var tests = [
      function (n) { return String(n.name).toLowerCase() === q; },
      function (n) { return String(n.id).toLowerCase() === q; },
      function (n) { var id = String(n.id).toLowerCase(); return id.endsWith("/" + q) || id.endsWith("#" + q) || id.endsWith(":" + q); },
      function (n) { return String(n.name).toLowerCase().indexOf(q) === 0; },
      function (n) { return String(n.name).toLowerCase().indexOf(q) >= 0; }
    ];
    for (var i = 0; i < tests.length; i++) {
      var hit = byLabel.filter(tests[i]);
      if (hit.length) { return hit[0].id; }
    }
    return null;
  }
  function selectNode(id, focus) {
    var n = nodes.get(id);
    if (!n) { return false; }
    if (n.hidden) {
      // Bring a filtered-out node back rather than focusing something invisible.
      state.kinds[n.kind] = false;
      var box = kindList.querySelector("input[value='" + CSS.escape(n.kind) + "']");
      if (box) { box.checked = true; box.closest("li").classList.remove("off"); }
      applyFilters();
    }
    network.selectNodes([id], false);
    if (focus !== false) {
      network.focus(id, { scale: Math.max(network.getScale(), 1.1), animation: { duration: 450, easingFunction: "easeInOutQuad" } });
    }
    showNode(id);
    return true;
  }
  var lastFound = { id: null, at: 0 };
  function found(id) {
    // Enter fires 'change' and then 'submit': focus once, not twice (a second call restarts the animation).
    var now = performance.now();
    if (lastFound.id === id && now - lastFound.at < 800) { return; }
    lastFound = { id: id, at: now };
    searchStatus.textContent = "";
    selectNode(id, true);
  }
  document.getElementById("search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = document.getElementById("search").value;
    var id = findNode(text);
    if (id === null) {
      searchStatus.textContent = text.trim() ? "No node matches \u201c" + text.trim() + "\u201d." : "";
      return;
    }
    found(id);
  });
  document.getElementById("search").addEventListener("change", function (ev) {
    // Picking a suggestion from the list fires 'change' without a submit.
    var id = findNode(ev.target.value);
    if (id !== null && String(nodeIndex[id].name).toLowerCase() === ev.target.value.trim().toLowerCase()) {
      found(id);
    }
  });

  // ---- details panel -------------------------------------------------------------------------------
  function facts(list) {
    var dl = el("dl", "facts");
    list.forEach(function (pair) {
      dl.appendChild(el("dt", null, pair[0]));
      dl.appendChild(el("dd", null, pair[1]));
    });
    return dl;
  }
  function provenance(claims, compact) {
    var wrap = document.createDocumentFragment();
    if (!claims || !claims.length) {
      var none = el("div", "prov none");
      none.appendChild(el("div", null, "No claim recorded for this tie."));
      wrap.appendChild(none);
      return wrap;
    }
    claims.forEach(function (claim) {
      var box = el("div", "prov");
      var record = data.claims[claim];
      if (!record || !record.sources.length) {
        box.classList.add("none");
        box.appendChild(el("div", null, "No source recorded for this claim."));
        wrap.appendChild(box);
        return;
      }
      record.sources.forEach(function (s) {
        box.appendChild(el("div", "src", (s.primary ? "Primary source: " : "") + (s.title || s.iri)));
        if (!compact) { box.appendChild(el("div", "iri", s.iri)); }
      });
      if (record.locator) { box.appendChild(el("div", "loc", "Where: " + record.locator)); }
      if (record.evidence) { box.appendChild(el("blockquote", null, "\u201c" + record.evidence + "\u201d")); }
      wrap.appendChild(box);
    });
    return wrap;
  }
  var actorKinds = { polity: true, organisation: true, person: true };
  function nodeFacts(n) {
    var list = [["Kind", kindCaption[n.kind] || n.kind], ["IRI", n.id]];
    if (n.region) { list.push(["Region", n.region]); }
    if (actorKinds[n.kind] && n.external !== undefined) {
      list.push(["In the Western Balkans", n.external ? "no" : "yes"]);
    }
    list.push([data.sizeBy.charAt(0).toUpperCase() + data.sizeBy.slice(1), fmt(n.metric)]);
    if (n.community !== undefined) { list.push(["Community", String(n.community)]); }
    return list;
  }
  function edgeFacts(e) {
    var list = [["Relation", relationCaption[e.relation] || e.relation]];
    if (e.relation === "gap" || e.relation === "absence") {
      if (e.note) { list.push(["Note", e.note]); }
      if (e.score !== undefined) { list.push(["Gap score", fmt(e.score)]); }
    } else {
      list.push(["Tie", e.sign < 0 ? "negative (hostile, condemns, or seen as a threat)" : "positive"]);
      if (e.role) { list.push(["Role", e.role]); }
      if (e.via) { list.push(["Via", e.via]); }
      list.push(["Weight", fmt(e.weight)]);
    }
    if (e.since) { list.push(["Since", e.since]); }
    if (e.until) { list.push(["Until", e.until]); }
    (e.claims || []).forEach(function (c) { list.push(["Claim", c]); });
    return list;
  }
  api.nodeFacts = nodeFacts;
  api.edgeFacts = edgeFacts;

  function showPlaceholder() {
    clear(details);
    details.appendChild(el("p", "placeholder", "Click a node or a tie to see its facts and where each comes from."));
  }
  function showNode(id) {
    var n = nodeIndex[id];
    if (!n) { return; }
    clear(details);
    details.appendChild(el("h3", null, n.name));
    details.appendChild(el("span", "badge", kindCaption[n.kind] || n.kind));
    details.appendChild(facts(nodeFacts(n)));
    var ties = tiesOf[id].slice();
    details.appendChild(el("h2", null, "Ties (" + ties.length + ")"));
    var list = el("ul", "ties");
    var limit = 150;
    ties.slice(0, limit).forEach(function (e) {
      var li = el("li");
      var outgoing = e.from === id;
      var other = outgoing ? e.to : e.from;
      var arrow = directed(e) ? (outgoing ? "\u2192 " : "\u2190 ") : "\u2013 ";
      var button = el("button", "link", arrow + labelOf(other));
      button.type = "button";
      button.addEventListener("click", function () { selectEdge(e.id); });
      li.appendChild(button);
      var meta = el("div", "meta", relationCaption[e.relation] || e.relation);
      if (e.sign < 0) { meta.appendChild(document.createTextNode(" \u00b7 ")); meta.appendChild(el("span", "neg", "negative")); }
      var dates = [e.since, e.until].filter(Boolean).join(" to ");
      if (dates) { meta.appendChild(document.createTextNode(" \u00b7 " + dates)); }
      li.appendChild(meta);
      li.appendChild(provenance(e.claims, true));
      list.appendChild(li);
    });
    details.appendChild(list);
    if (ties.length > limit) { details.appendChild(el("p", "more", "\u2026 and " + (ties.length - limit) + " more.")); }
  }
  function showEdge(id) {
    var e = edges.get(id);
    if (!e) { return; }
    clear(details);
    details.appendChild(el("h3", null, labelOf(e.from) + (directed(e) ? " \u2192 " : " \u2013 ") + labelOf(e.to)));
    details.appendChild(el("span", "badge", relationCaption[e.relation] || e.relation));
    details.appendChild(facts(edgeFacts(e)));
    details.appendChild(el("h2", null, "Source"));
    details.appendChild(provenance(e.claims, false));
    var ends = el("div", "buttons");
    [e.from, e.to].forEach(function (end) {
      var b = el("button", null, labelOf(end));
      b.type = "button";
      b.addEventListener("click", function () { selectNode(end, true); });
      ends.appendChild(b);
    });
    details.appendChild(ends);
  }
  function selectEdge(id) {
    network.selectEdges([id]);
    showEdge(id);
  }
  api.selectEdge = selectEdge;

  network.on("click", function (params) {
    if (params.nodes.length) { showNode(params.nodes[0]); }
    else if (params.edges.length) { showEdge(params.edges[0]); }
    else { showPlaceholder(); }
  });
  document.getElementById("fit").addEventListener("click", function () { network.fit({ animation: { duration: 400 } }); });
  document.getElementById("reset").addEventListener("click", function () {
    state.kinds = {}; state.relations = {}; state.year = null;
    Array.prototype.forEach.call(document.querySelectorAll(".legend input"), function (b) { b.checked = true; });
    Array.prototype.forEach.call(document.querySelectorAll(".legend li.off"), function (li) { li.classList.remove("off"); });
    if (data.years) { yearSelect.value = ""; }
    applyFilters();
    network.unselectAll();
    showPlaceholder();
    network.fit({ animation: { duration: 400 } });
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { network.unselectAll(); showPlaceholder(); }
  });

  // ---- labels on demand (big graphs label only their largest nodes up front) ---------------------
  var unlabelled = data.nodes.filter(function (n) { return n.label === undefined; }).length;
  if (unlabelled > 0) {
    var labelTimer = null;
    var labelNow = function () {
      labelTimer = null;
      if (network.getScale() < 0.45) { return; }
      var box = container.getBoundingClientRect();
      var a = network.DOMtoCanvas({ x: 0, y: 0 }), b = network.DOMtoCanvas({ x: box.width, y: box.height });
      var updates = [];
      nodes.forEach(function (n) {
        if (n.label === undefined && n.x >= a.x && n.x <= b.x && n.y >= a.y && n.y <= b.y && updates.length < 1500) {
          updates.push({ id: n.id, label: String(n.name) });
        }
      });
      if (updates.length) { nodes.update(updates); }
    };
    var labelSoon = function () { if (labelTimer === null) { labelTimer = window.setTimeout(labelNow, 200); } };
    network.on("zoom", labelSoon);
    network.on("dragEnd", labelSoon);
    network.on("animationFinished", labelSoon);
  }

  var sub = document.getElementById("subtitle");
  sub.textContent = [data.subtitle, plural(data.nodes.length, "node", "nodes"), plural(data.edges.length, "tie", "ties")]
    .filter(Boolean).join(" \u00b7 ");
  applyFilters();
}());
