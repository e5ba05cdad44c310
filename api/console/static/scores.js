/* papi-engine console: the survey-scores pages. No dependencies.
   1. A scoring job's page (#job-status[data-status-url]) re-fetches the job's status every
      2 seconds and reloads the page once the job has finished (to show its results).
   2. The what-if form (#whatif-form[data-view]) fetches the changed part of the page on
      every change (the server computes it with the scoring library), replaces it in place
      and writes the choices into the URL, so that a reload or a shared link shows the same
      view; the new charts and tables get their download controls again. Without script the form's "Apply" button loads the same view. */
(function () {
  "use strict";
  function watchJob(el) {
    var url = el.getAttribute("data-status-url");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok && !r.redirected ? r.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          el.innerHTML = html;
          if (el.querySelector("[data-done]")) { window.location.reload(); return; }
          window.setTimeout(tick, 2000);
        })
        .catch(function () { window.setTimeout(tick, 4000); });
    }
    window.setTimeout(tick, 1000);
  }
  function query(form) {
    var params = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      params.append(el.name, el.value);
    });
    return params.toString();
  }
  function whatIf(form) {
    var target = document.getElementById("whatif-result");
    var view = form.getAttribute("data-view");
    var seq = 0;
    function update() {
      var q = query(form);
      var mine = ++seq;
      target.setAttribute("aria-busy", "true");
      fetch(view + "?" + q, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.redirected ? null : r.text(); })
        .then(function (html) {
          if (html === null || mine !== seq) { return; }
          target.innerHTML = html;
          // the new charts and tables get their download controls (downloads.js)
          if (window.papiDownloads) { window.papiDownloads.attach(); }
          target.removeAttribute("aria-busy");
          window.history.replaceState(null, "", form.getAttribute("action") + "?" + q);
        })
        .catch(function () { target.removeAttribute("aria-busy"); });
    }
    form.addEventListener("change", update);
    form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var job = document.getElementById("job-status");
    if (job && job.getAttribute("data-status-url") && !job.querySelector("[data-done]")) { watchJob(job); }
    var form = document.getElementById("whatif-form");
    if (form) { whatIf(form); }
  });
})();
