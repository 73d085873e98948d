/*
 * Behind a CDN that keeps campaign pages (CLARION_VIEW_BEACON): the server no longer sees
 * each view, so this counts it, and gives the form the visit's sources, as the server
 * does otherwise. Sends the page's utm tags and the referring site's domain: no cookie,
 * nothing else.
 */
(function () {
  "use strict";
  var script = document.querySelector("script[data-clarion-view]");
  if (!script) return;
  var query = new URLSearchParams(location.search);
  var sources = {
    utm_source: query.get("utm_source") || "",
    utm_medium: query.get("utm_medium") || "",
    utm_campaign: query.get("utm_campaign") || "",
    referrer: "",
  };
  try {
    if (document.referrer) sources.referrer = new URL(document.referrer).hostname;
  } catch (error) { /* no referrer */ }
  var form = script.closest("form");
  Object.keys(sources).forEach(function (name) {
    var input = form && form.querySelector("input[type=hidden][name=" + name + "]");
    if (input && !input.value) input.value = sources[name];
  });
  if (navigator.sendBeacon) navigator.sendBeacon(script.getAttribute("data-clarion-view"), new URLSearchParams(sources));
})();
