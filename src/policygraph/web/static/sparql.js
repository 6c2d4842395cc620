/* The SPARQL query UI: YASGUI (served by this app from node_modules, no CDN) set up for this endpoint.
   The page hands over its settings as JSON: endpoint, prefixes, catalogue queries, and a query to run
   when the page was opened from a shared link (/sparql?query=...). */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("sparql-config").textContent);
  var endpoint = new URL(config.endpoint, window.location.href).toString();
  var examples = {};
  config.examples.forEach(function (q) { examples[q.name] = q; });

  // Only the completers that work offline: the property and class completers ask a remote service (LOV).
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  Yasgui.defaults.yasqe.autocompleters = ["prefixes", "variables"];

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; }, keys: [] },
    persistenceId: "policygraph-sparql",
    populateFromUrl: true, // /sparql?query=... opens that query in a tab
    yasqe: { value: config.defaultQuery },
    yasr: { prefixes: config.prefixes }
  });

  function whenReady(tab, action) {
    // A tab builds its editor when it is shown; wait for it before acting on it.
    var tries = 0;
    (function attempt() {
      if (tab.getYasqe && tab.getYasqe()) { action(tab); return; }
      if (++tries < 100) { window.setTimeout(attempt, 50); }
    })();
  }

  function run(tab) {
    var done = tab.query();
    if (done && done.catch) { done.catch(function () { /* YASR shows the error */ }); }
  }

  function shareUrl(text) {
    var url = new URL(config.endpoint, window.location.href);
    url.searchParams.set("query", text);
    return url.toString();
  }

  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      var q = examples[button.getAttribute("data-example")];
      var tab = yasgui.addTab(true, { name: q.title, yasqe: { value: q.query } });
      whenReady(tab, run);
    });
  });

  var input = document.getElementById("share-url");
  document.getElementById("share-link").addEventListener("click", function () {
    input.value = shareUrl(yasgui.getTab().getQuery());
    input.focus();
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).catch(function () { /* the link stays selected */ });
    }
  });
  yasgui.on("query", function (instance, tab) { input.value = shareUrl(tab.getQuery()); });

  if (config.run && config.query) {
    whenReady(yasgui.getTab(), run);
  }
  window.policygraphYasgui = yasgui; // for the browser tests and the curious
})();
