// The web pages' own script (served from this service: the Content-Security-Policy allows no
// inline script). Everything works without it; htmx adds in-place updates.
(function () {
  "use strict";
  // After htmx swaps new content in, move the focus to the element it names (a results
  // region or an error summary), so keyboard and screen reader users land on what changed.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && (event.detail.target || event.detail.elt);
    if (!target) { return; }
    var focus = target.querySelector("[data-focus-after-swap]");
    if (focus) { focus.focus(); }
  });
  // A page that answers a refused form names its error summary: the focus starts there, so
  // the person hears what went wrong before anything else.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) { summary.focus(); }
  });
})();
