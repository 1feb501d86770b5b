// Progressive enhancement only: every page works without this file.
// The "?" panels of the indicator cards and other disclosures close with Escape and give focus back to
// their summary (WCAG 1.4.13: content shown on demand can be dismissed). The picker is deliberately not
// auto-submitted when a suggestion is picked: a change of page must follow an explicit "Vis" (WCAG 3.2.2).
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = document.activeElement && document.activeElement.closest("details[open]");
    if (open) {
      open.open = false;
      var summary = open.querySelector("summary");
      if (summary) {
        summary.focus();
      }
    }
  });
})();
