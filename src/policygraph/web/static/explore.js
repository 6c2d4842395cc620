/* The partnership explorer: draws /api/graph with Cytoscape.js (fcose layout), opens a side panel from
   /api/node, expands and collapses neighbourhoods, finds paths (/api/paths), shows analytics
   (/api/analytics). The URL keeps the state (filters, focus, expanded nodes, path ends) so that a view
   can be shared. Everything is served by policygraph itself: no request leaves the server. */
(function () {
  "use strict";

  var FILTERS = ["issue", "basket", "type", "kind", "initiatives"];
  var COLOURS = { organisation: "#0b5cad", partnership: "#8e44ad", initiative: "#d35400", issue: "#138d75" };
  var SHAPES = { organisation: "ellipse", partnership: "diamond", initiative: "round-rectangle", issue: "hexagon" };
  var root = document.getElementById("explorer");
  var $ = function (id) { return document.getElementById(id); };
  var state = { filters: {}, focus: null, expanded: [], from: null, to: null, via: null };
  var baseIds = new Set();      // nodes of the filtered view
  var addedBy = new Map();      // node id -> Set of expanded node ids that brought it in
  var generation = 0;

  // ------------------------------------------------------------------ helpers
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.message || ("HTTP " + r.status));
        return body;
      });
    });
  }
  function query(params) {
    var q = new URLSearchParams();
    Object.keys(params).forEach(function (k) {
      var v = params[k];
      if (Array.isArray(v)) v.forEach(function (x) { q.append(k, x); });
      else if (v) q.set(k, v);
    });
    var s = q.toString();
    return s ? "?" + s : "";
  }
  function setStatus(text) { $("status").textContent = text; }
  // data-state is "ready" when no request is pending; data-generation counts the times it became so
  // (tests wait on it, people never see it).
  var pending = 0;
  function busy(on) {
    pending = Math.max(0, pending + (on ? 1 : -1));
    if (pending) { root.dataset.state = "loading"; return; }
    generation += 1;
    root.dataset.generation = String(generation);
    root.dataset.state = "ready";
  }

  // ------------------------------------------------------------------ URL state
  function readURL() {
    var p = new URLSearchParams(window.location.search);
    FILTERS.forEach(function (k) { state.filters[k] = p.get(k) || ""; });
    state.focus = p.get("focus");
    state.expanded = p.getAll("expand");
    state.from = p.get("from");
    state.to = p.get("to");
    state.via = p.get("via");
  }
  function writeURL() {
    var params = {};
    FILTERS.forEach(function (k) { if (state.filters[k] && !(k === "initiatives" && state.filters[k] === "shared")) params[k] = state.filters[k]; });
    params.focus = state.focus;
    params.expand = state.expanded;
    params.from = state.from;
    params.to = state.to;
    params.via = state.via;
    history.replaceState(null, "", window.location.pathname + query(params));
  }
  function filterQuery() {
    var params = {};
    FILTERS.forEach(function (k) { if (state.filters[k]) params[k] = state.filters[k]; });
    return query(params);
  }

  // ------------------------------------------------------------------ the graph
  var cy = cytoscape({
    container: $("cy"),
    minZoom: 0.05,
    maxZoom: 4,
    style: [
      { selector: "node", style: {
        "background-color": function (n) { return COLOURS[n.data("type")] || "#777"; },
        "shape": function (n) { return SHAPES[n.data("type")] || "ellipse"; },
        "width": function (n) { return size(n); }, "height": function (n) { return size(n); },
        "label": "data(short)", "font-size": 10, "color": "#1d2433",
        "text-valign": "bottom", "text-margin-y": 3, "text-wrap": "ellipsis", "text-max-width": 140,
        "text-outline-color": "#fff", "text-outline-width": 2, "min-zoomed-font-size": 7,
        "border-width": 1, "border-color": "#fff" } },
      { selector: "node[type = 'organisation']", style: { "font-size": 12, "font-weight": 600, "min-zoomed-font-size": 4 } },
      { selector: "node[?profiled]", style: { "border-width": 4, "border-color": "#1d2433" } },
      { selector: "edge", style: { "width": 1.2, "line-color": "#a8b0c0", "curve-style": "straight", "opacity": 0.8 } },
      { selector: "edge[relation = 'partner']", style: { "line-color": "#b48cc8", "width": 2 } },
      { selector: "edge[relation = 'involved']", style: { "line-style": "dashed", "line-color": "#e0a070" } },
      { selector: "edge[relation = 'about']", style: { "line-style": "dotted", "line-color": "#8e44ad" } },
      { selector: "edge[relation = 'worksOn']", style: { "line-style": "dashed", "line-color": "#138d75", "width": 2 } },
      { selector: "node:selected", style: { "border-width": 5, "border-color": "#f1c40f" } },
      { selector: ".faded", style: { "opacity": 0.15 } },
      { selector: "node.path", style: { "border-width": 5, "border-color": "#f1c40f", "font-size": 13, "z-index": 10 } },
      { selector: "edge.path", style: { "width": 5, "line-color": "#f1c40f", "opacity": 1, "z-index": 10 } }
    ]
  });
  var maxDegree = 1;
  function size(n) {
    var d = n.data("degree") || 0;
    var base = n.data("type") === "organisation" ? 16 : 12;
    return base + 44 * Math.sqrt(d / maxDegree);
  }
  function recomputeSizes() {
    var degrees = cy.nodes().map(function (n) { return n.data("degree") || 0; });
    maxDegree = Math.max(1, Math.max.apply(null, degrees.concat([1])));
    var min = degrees.length ? Math.min.apply(null, degrees) : 0;
    $("degree-range").textContent = "from " + min + " to " + maxDegree + " here";
    cy.style().update();
  }
  function nodeData(n) {
    // Spread new nodes at random until the layout places them: nodes piled on one point cannot be drawn.
    return { group: "nodes", position: { x: Math.random() * 1000, y: Math.random() * 1000 }, data: { id: n.id, iri: n.iri, short: n.short, label: n.label, type: n.type,
      degree: n.degree || 0, profiled: !!n.profiled } };
  }
  function edgeData(e) {
    return { group: "edges", data: { id: e.id, source: e.source, target: e.target, relation: e.relation, label: e.label } };
  }
  function addElements(nodes, edges, by) {
    var added = [];
    nodes.forEach(function (n) {
      if (by) {
        if (!addedBy.has(n.id)) addedBy.set(n.id, new Set());
        addedBy.get(n.id).add(by);
      }
      if (cy.getElementById(n.id).empty()) added.push(nodeData(n));
    });
    var fresh = cy.add(added);
    if (by && !cy.getElementById(by).empty()) {
      var at = cy.getElementById(by).position();
      fresh.forEach(function (n, i) {
        var angle = 2 * Math.PI * i / Math.max(1, fresh.length);
        n.position({ x: at.x + 120 * Math.cos(angle), y: at.y + 120 * Math.sin(angle) });
      });
    }
    cy.add(edges.filter(function (e) {
      return cy.getElementById(e.id).empty() && !cy.getElementById(e.source).empty() && !cy.getElementById(e.target).empty();
    }).map(edgeData));
    cy.nodes().forEach(function (n) { n.data("degree", n.connectedEdges().length); });
    return fresh;
  }
  // fcose's own randomisation (a spectral start) puts leaves of one hub on one point, and stacked nodes
  // never separate; so a fresh layout starts from random positions of our own instead.
  function layout(fresh) {
    var count = cy.nodes().length;
    if (fresh) cy.nodes().forEach(function (n) { n.position({ x: Math.random() * 1000, y: Math.random() * 1000 }); });
    return new Promise(function (resolve) {
      if (!count) { resolve(); return; }
      var l = cy.layout({
        name: "fcose", quality: "default", randomize: false, animate: false,
        nodeRepulsion: function () { return 9000; }, idealEdgeLength: function () { return 70; },
        nodeSeparation: 90, gravity: 0.3, numIter: 2500, packComponents: true, nodeDimensionsIncludeLabels: true
      });
      l.one("layoutstop", function () { resolve(); });
      l.run();
    });
  }
  function refreshNodeList() {
    var select = $("node-list");
    var current = select.value;
    select.textContent = "";
    select.appendChild(el("option", { value: "", text: "Choose a node… (" + cy.nodes().length + " in view)" }));
    cy.nodes().sort(function (a, b) {
      return a.data("type").localeCompare(b.data("type")) || a.data("label").localeCompare(b.data("label"));
    }).forEach(function (n) {
      select.appendChild(el("option", { value: n.id(), text: n.data("type") + ": " + n.data("label") }));
    });
    select.value = current;
  }
  function describe(counts) {
    return counts.organisation + " organisations, " + counts.partnership + " partnerships, " +
      counts.initiative + " initiatives, " + counts.edges + " links";
  }
  function updateExportLinks() {
    ["graphml", "gexf", "csv"].forEach(function (f) { $("export-" + f).href = "/api/export." + f + filterQuery(); });
  }

  var latest = 0;  // only the answer to the latest filter change is drawn
  function loadGraph() {
    var token = ++latest;
    busy(true);
    setStatus("Loading the network…");
    updateExportLinks();
    return getJSON("/api/graph" + filterQuery()).then(function (data) {
      if (token !== latest) return false;
      cy.elements().remove();
      pathElements = cy.collection();
      addedBy.clear();
      baseIds = new Set(data.nodes.map(function (n) { return n.id; }));
      addElements(data.nodes, data.edges, null);
      var expansions = state.expanded.slice();
      return Promise.all(expansions.map(function (iri) { return expand(iri, true); })).then(function () {
        recomputeSizes();
        return layout(true);
      }).then(function () {
        cy.fit(undefined, 30);
        refreshNodeList();
        setStatus("Showing " + describe(data.counts) + ".");
        if (state.focus && !cy.getElementById(state.focus).empty()) return openPanel(state.focus, false);
        if (state.focus) return focusNode(state.focus);
      });
    }).then(function (current) {
      if (current !== false && state.from && state.to) return findPaths();
    }).catch(function (err) {
      setStatus("Could not load the network: " + err.message);
    }).then(function () { busy(false); });
  }

  // ------------------------------------------------------------------ expand and collapse
  function expand(iri, quiet) {
    return getJSON("/api/node" + query({ iri: iri, depth: "1" })).then(function (data) {
      addElements(data.neighbourhood.nodes, data.neighbourhood.edges, iri);
      if (state.expanded.indexOf(iri) < 0) state.expanded.push(iri);
      if (!quiet) {
        recomputeSizes();
        refreshNodeList();
        writeURL();
        return layout(false);
      }
    });
  }
  function collapse(iri) {
    var gone = cy.collection();
    addedBy.forEach(function (by, id) {
      by.delete(iri);
      if (!by.size && !baseIds.has(id) && id !== iri && state.expanded.indexOf(id) < 0) gone = gone.union(cy.getElementById(id));
    });
    cy.remove(gone);
    state.expanded = state.expanded.filter(function (x) { return x !== iri; });
    cy.nodes().forEach(function (n) { n.data("degree", n.connectedEdges().length); });
    recomputeSizes();
    refreshNodeList();
    writeURL();
  }

  // ------------------------------------------------------------------ side panel
  // A quote with where it comes from: the profile that says it, its section (a link) and line.
  function quoteBlock(e) {
    var where = [];
    if (e.profileLabel) where.push(el("span", { className: "profile", text: e.profileLabel }));
    if (e.page) {
      if (where.length) where.push(", section ");
      where.push(el("a", { href: e.page, text: (e.heading || "section") + (e.line ? " (line " + e.line + ")" : "") }));
    }
    return el("blockquote", { className: "evidence" }, [el("p", { text: "“" + e.quote + "”" }), where.length ? el("footer", {}, ["— "].concat(where)) : null]);
  }

  function section(title, content) {
    return el("section", {}, [el("h3", { text: title }), content]);
  }
  function openPanel(iri, center) {
    busy(true);
    return getJSON("/api/node" + query({ iri: iri })).then(function (data) {
      var n = data.node;
      state.focus = iri;
      writeURL();
      cy.$(":selected").unselect();
      var node = cy.getElementById(iri);
      if (!node.empty()) {
        node.select();
        if (center) cy.animate({ center: { eles: node }, duration: 200 });
      }
      $("panel-title").textContent = n.label;
      var body = $("panel-body");
      body.textContent = "";
      var facts = el("dl", { className: "facts" });
      function fact(k, v) { if (v) { facts.appendChild(el("dt", { text: k })); facts.appendChild(el("dd", { text: v })); } }
      fact("Type", n.type + (n.publication ? " (publication)" : ""));
      fact("Organisation type", n.organisationType && n.organisationType.label);
      fact("Kind", n.kind && n.kind.label);
      fact("Acronyms", (n.acronyms || []).join(", "));
      fact("Also called", (n.names || []).join("; "));
      fact("Links", String(n.degree));
      body.appendChild(facts);
      if (n.description) body.appendChild(el("p", { className: "description", text: n.description }));
      var actions = el("div", { className: "actions" });
      var expanded = state.expanded.indexOf(iri) >= 0;
      var toggle = el("button", { type: "button", id: "panel-expand", text: expanded ? "Collapse neighbourhood" : "Expand neighbourhood" });
      toggle.addEventListener("click", function () {
        if (state.expanded.indexOf(iri) >= 0) { collapse(iri); toggle.textContent = "Expand neighbourhood"; }
        else {
          busy(true);
          expand(iri, false).then(function () { toggle.textContent = "Collapse neighbourhood"; busy(false); });
        }
      });
      actions.appendChild(toggle);
      if (n.type === "organisation") {
        var pf = el("button", { type: "button", text: "Path from here" });
        pf.addEventListener("click", function () { $("path-from").value = iri; $("path-from").focus(); });
        var pt = el("button", { type: "button", text: "Path to here" });
        pt.addEventListener("click", function () { $("path-to").value = iri; $("path-to").focus(); });
        actions.appendChild(pf);
        actions.appendChild(pt);
      }
      if (n.page) actions.appendChild(el("a", { href: n.page, text: "Linked-data page" }));
      body.appendChild(actions);
      if (n.issues.length) {
        var issues = el("ul", { className: "issues" });
        n.issues.forEach(function (i) { issues.appendChild(el("li", {}, [el("a", { href: "/id/issue/" + i.key, text: i.label })])); });
        body.appendChild(section("Issues", issues));
      }
      if (n.evidence.length) {
        var ev = el("div");
        n.evidence.forEach(function (e) { ev.appendChild(quoteBlock(e)); });
        body.appendChild(section("Evidence", ev));
      }
      if (n.links.length) {
        var links = el("ul", { className: "links" });
        n.links.forEach(function (l) {
          var b = el("button", { type: "button", className: "linkish", text: l.label });
          b.addEventListener("click", function () { focusNode(l.iri); });
          var rel = l.relation + (l.roles.length ? " (" + l.roles.join(", ") + ")" : "") + (l.profiles && l.profiles.length ? " — stated by " + l.profiles.join(", ") : "");
          links.appendChild(el("li", {}, [el("span", { className: "tag " + l.type, text: l.type }), " ", b, el("span", { className: "muted", text: " · " + rel })]));
        });
        body.appendChild(section("Linked to", links));
      }
      $("panel").hidden = false;
      $("panel").focus();
    }).catch(function (err) { setStatus("Could not open the node: " + err.message); })
      .then(function () { busy(false); });
  }
  function closePanel() {
    $("panel").hidden = true;
    cy.$(":selected").unselect();
    state.focus = null;
    writeURL();
  }
  function focusNode(iri) {
    if (!cy.getElementById(iri).empty()) return openPanel(iri, true);
    busy(true);
    return expand(iri, false).then(function () {
      // the node itself comes with its neighbourhood; keep it as an expanded node
      return openPanel(iri, true);
    }).catch(function (err) { setStatus("Could not show the node: " + err.message); busy(false); });
  }

  // ------------------------------------------------------------------ search with suggestions
  var suggestions = [], active = -1, timer = null;
  function renderSuggestions() {
    var list = $("search-list");
    list.textContent = "";
    suggestions.forEach(function (s, i) {
      var li = el("li", { role: "option", id: "suggestion-" + i, "aria-selected": i === active ? "true" : "false" },
        [el("span", { className: "tag " + s.type, text: s.type }), " " + s.label + (s.short !== s.label ? " (" + s.short + ")" : "")]);
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(i); });
      list.appendChild(li);
    });
    list.hidden = !suggestions.length;
    $("search").setAttribute("aria-expanded", suggestions.length ? "true" : "false");
    if (active >= 0) $("search").setAttribute("aria-activedescendant", "suggestion-" + active);
    else $("search").removeAttribute("aria-activedescendant");
  }
  function pick(i) {
    var s = suggestions[i];
    if (!s) return;
    $("search").value = s.label;
    suggestions = [];
    active = -1;
    renderSuggestions();
    focusNode(s.iri);
  }
  $("search").addEventListener("input", function () {
    clearTimeout(timer);
    var q = $("search").value.trim();
    if (!q) { suggestions = []; renderSuggestions(); return; }
    timer = setTimeout(function () {
      getJSON("/api/names" + query({ q: q })).then(function (data) {
        suggestions = data.results;
        active = -1;
        renderSuggestions();
      }).catch(function () { suggestions = []; renderSuggestions(); });
    }, 150);
  });
  $("search").addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown" && suggestions.length) { active = (active + 1) % suggestions.length; renderSuggestions(); ev.preventDefault(); }
    else if (ev.key === "ArrowUp" && suggestions.length) { active = (active - 1 + suggestions.length) % suggestions.length; renderSuggestions(); ev.preventDefault(); }
    else if (ev.key === "Enter") { ev.preventDefault(); pick(active >= 0 ? active : 0); }
    else if (ev.key === "Escape") { suggestions = []; renderSuggestions(); }
  });
  $("search").addEventListener("blur", function () { setTimeout(function () { suggestions = []; renderSuggestions(); }, 100); });

  // ------------------------------------------------------------------ paths
  var pathElements = cy.collection();
  function clearPath() {
    cy.elements().removeClass("path faded");
    cy.remove(pathElements);
    pathElements = cy.collection();
    $("path-results").textContent = "";
  }
  function via() {
    var chosen = Array.prototype.map.call(document.querySelectorAll("input[name=via]:checked"), function (c) { return c.value; });
    return chosen.length === 3 ? null : chosen.join(",");
  }
  function drawPath(path) {
    cy.elements().removeClass("path");
    var fresh = [];
    path.nodes.forEach(function (n) { if (cy.getElementById(n.id).empty()) fresh.push(nodeData(n)); });
    pathElements = pathElements.union(cy.add(fresh));
    path.steps.forEach(function (s, i) {
      var a = path.nodes[i].id, b = path.nodes[i + 1].id;
      var edge = cy.edges().filter(function (e) {
        return (e.source().id() === a && e.target().id() === b) || (e.source().id() === b && e.target().id() === a);
      });
      if (edge.empty()) edge = cy.add({ group: "edges", data: { id: "path:" + a + ">" + b, source: a, target: b, relation: s.relation } });
      pathElements = pathElements.union(edge.filter(function (e) { return e.id().indexOf("path:") === 0; }));
      edge.addClass("path");
    });
    path.nodes.forEach(function (n) { cy.getElementById(n.id).addClass("path"); });
    cy.elements().not(".path").addClass("faded");
    cy.elements(".path").removeClass("faded");
    if (fresh.length) {
      var anchor = cy.nodes(".path").not(pathElements).first();
      var at = anchor.empty() ? { x: 0, y: 0 } : anchor.position();
      pathElements.nodes().forEach(function (n, i) { n.position({ x: at.x + 80 * (i + 1), y: at.y + 60 * (i % 2 ? 1 : -1) }); });
    }
    cy.fit(cy.elements(".path"), 60);
  }
  function renderPaths(data) {
    var out = $("path-results");
    out.textContent = "";
    if (!data.paths.length) {
      out.appendChild(el("p", { id: "path-none", text: "No path of at most " + data.maxHops + " steps connects " + data.from.label + " and " + data.to.label + " through " + data.via.join(", ") + "." }));
      return;
    }
    out.appendChild(el("p", { text: data.paths.length + " path(s) from " + data.from.label + " to " + data.to.label + ", most telling first." }));
    var list = el("ol", { className: "path-list" });
    data.paths.forEach(function (p, pi) {
      var show = el("button", { type: "button", text: "Show on the graph" });
      show.addEventListener("click", function () { drawPath(p); });
      var steps = el("ol", { className: "steps" });
      p.steps.forEach(function (s) {
        var parts = [el("p", { className: "step-text", text: s.text })];
        (s.evidence || []).forEach(function (e) { parts.push(quoteBlock(e)); });
        var triples = el("ul", { className: "triples" });
        s.triples.forEach(function (t) { triples.appendChild(el("li", {}, [el("code", { text: "<" + t.s + "> <" + t.p + "> <" + t.o + "> ." })])); });
        parts.push(el("details", {}, [el("summary", { text: "Triples that state it (" + s.triples.length + ")" }), triples]));
        steps.appendChild(el("li", { className: "step" }, parts));
      });
      var names = p.nodes.map(function (n) { return n.short; }).join(" → ");
      list.appendChild(el("li", { className: "path", "data-index": String(pi) }, [el("h3", { text: names }), show, steps]));
    });
    out.appendChild(list);
    drawPath(data.paths[0]);
  }
  function findPaths() {
    clearPath();
    busy(true);
    var params = { from: state.from, to: state.to, via: state.via };
    return getJSON("/api/paths" + query(params)).then(renderPaths).catch(function (err) {
      $("path-results").textContent = "";
      $("path-results").appendChild(el("p", { className: "error", text: err.message }));
    }).then(function () { busy(false); });
  }
  $("paths-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    state.from = $("path-from").value || null;
    state.to = $("path-to").value || null;
    state.via = via();
    writeURL();
    if (state.from && state.to) findPaths();
  });
  $("path-clear").addEventListener("click", function () {
    clearPath();
    state.from = state.to = state.via = null;
    writeURL();
  });

  // ------------------------------------------------------------------ analytics
  function table(caption, head, rows) {
    var t = el("table", {}, [el("caption", { text: caption })]);
    t.appendChild(el("thead", {}, [el("tr", {}, head.map(function (h) { return el("th", { scope: "col", text: h }); }))]));
    var tb = el("tbody");
    rows.forEach(function (r) { tb.appendChild(el("tr", {}, r.map(function (c) { return el("td", { text: String(c) }); }))); });
    t.appendChild(tb);
    return t;
  }
  $("analytics-go").addEventListener("click", function () {
    busy(true);
    getJSON("/api/analytics").then(function (a) {
      var out = $("analytics-results");
      out.textContent = "";
      out.appendChild(el("p", { text: a.network.nodes + " organisations, " + a.network.edges + " partner pairs, " + a.network.components + " connected components; modularity " + a.communities.modularity.toFixed(3) + "." }));
      out.appendChild(table("Organisations by betweenness in the partnership network", ["Organisation", "Partners", "Shared partnerships", "Betweenness", "Community"],
        a.organisations.slice(0, 20).map(function (o) { return [o.label, o.degree, o.weightedDegree, o.betweenness.toFixed(3), o.community + 1]; })));
      out.appendChild(table("Communities (" + a.communities.method + ")", ["#", "Size", "Members"],
        a.communities.groups.map(function (g) { return [g.id + 1, g.size, g.members.map(function (m) { return m.short; }).join(", ")]; })));
      out.appendChild(table("Works on the same issues as (" + a.issueOverlap.method + ")", ["Organisation", "Organisation", "Jaccard", "Shared issues"],
        a.issueOverlap.pairs.map(function (p) { return [p.a.short, p.b.short, p.jaccard.toFixed(2), p.shared.join(", ")]; })));
      var m = a.issueOverlap.matrix;
      out.appendChild(table("Issue overlap among the profiled organisations", [""].concat(m.organisations.map(function (o) { return o.short; })),
        m.organisations.map(function (o, i) { return [o.short].concat(m.values[i].map(function (v) { return v.toFixed(2); })); })));
    }).catch(function (err) { $("analytics-results").textContent = "Could not compute analytics: " + err.message; })
      .then(function () { busy(false); });
  });

  // ------------------------------------------------------------------ wiring
  cy.on("tap", "node", function (ev) { openPanel(ev.target.id(), false); });
  $("panel-close").addEventListener("click", closePanel);
  $("panel").addEventListener("keydown", function (ev) { if (ev.key === "Escape") closePanel(); });
  $("node-list").addEventListener("change", function () { if ($("node-list").value) focusNode($("node-list").value); });
  $("fit").addEventListener("click", function () { cy.fit(undefined, 30); });
  $("relayout").addEventListener("click", function () { busy(true); layout(true).then(function () { cy.fit(undefined, 30); busy(false); }); });
  $("png").addEventListener("click", function () {
    var a = el("a", { href: cy.png({ full: true, scale: 2, bg: "#ffffff" }), download: "policygraph-view.png" });
    document.body.appendChild(a);
    a.click();
    a.remove();
  });
  FILTERS.forEach(function (k) {
    $("f-" + k).addEventListener("change", function () {
      state.filters[k] = $("f-" + k).value;
      state.expanded = [];
      state.focus = null;
      $("panel").hidden = true;
      writeURL();
      loadGraph();
    });
  });
  $("reset").addEventListener("click", function () {
    FILTERS.forEach(function (k) { state.filters[k] = ""; $("f-" + k).value = k === "initiatives" ? "shared" : ""; });
    state.expanded = [];
    writeURL();
    loadGraph();
  });

  readURL();
  FILTERS.forEach(function (k) { if (state.filters[k]) $("f-" + k).value = state.filters[k]; });
  if (state.from) $("path-from").value = state.from;
  if (state.to) $("path-to").value = state.to;
  if (state.via) {
    var chosen = state.via.split(",");
    document.querySelectorAll("input[name=via]").forEach(function (c) { c.checked = chosen.indexOf(c.value) >= 0; });
  }
  window.policygraphExplorer = { cy: cy, state: state };  // for tests and the curious
  loadGraph();
})();
