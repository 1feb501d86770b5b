// Autosave for the report form (progressive enhancement; the form works without it by ordinary submit).
// A few seconds after a change, the form as it is goes to its autosave address; the version the server answers
// replaces the form's expected_version, so her own ordinary save does not conflict with her autosaves. Someone
// else's save stops autosaving and says who saved and when; the ordinary save then shows the full message.
(function () {
  "use strict";
  var INTERVAL_MS = 4000;
  var form = document.getElementById("report-form");
  if (!form || !form.dataset.autosave || !window.fetch) {
    return;
  }
  var status = document.getElementById("autosave-status");
  var version = form.querySelector('input[name="expected_version"]');
  var token = form.querySelector('input[name="csrf_token"]');
  var changed = false;
  var busy = false;
  var stopped = false;

  function say(text) {
    if (status && text) {
      status.hidden = false;
      status.textContent = text;
    }
  }

  function save(leaving) {
    if (!changed || busy || stopped) {
      return;
    }
    changed = false;
    busy = true;
    fetch(form.dataset.autosave, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
      keepalive: leaving === true,
      headers: { "X-CSRF-Token": token ? token.value : "", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (response.ok) {
          version.value = String(answer.version);
          say(answer.message);
        } else if (answer.conflict) {
          stopped = true;
          say(answer.conflict);
        } else {
          say(form.dataset.autosaveFailed);
        }
      });
    }).catch(function () {
      changed = true; // not reached: try again at the next turn
    }).then(function () {
      busy = false;
    });
  }

  form.addEventListener("input", function () { changed = true; });
  form.addEventListener("change", function () { changed = true; });
  form.addEventListener("submit", function () { stopped = true; });
  window.setInterval(save, INTERVAL_MS);
  window.addEventListener("pagehide", function () { save(true); });
}());
