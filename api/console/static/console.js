/* papi-engine console: the only script. Two behaviours, no dependencies.
   1. An element with data-poll="URL" is re-fetched every data-interval seconds (not while
      the tab is hidden) and its content replaced by the server's fragment; a fragment
      holding an element with data-reload reloads the page (a finished job shows its results).
   2. On a page with elements carrying data-key="n", pressing that key (outside a text
      field) follows the link or presses the button. */
(function () {
  "use strict";
  function poll(el) {
    var url = el.getAttribute("data-poll");
    var seconds = Number(el.getAttribute("data-interval")) || 15;
    function tick() {
      if (document.hidden) { return; }
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) {
          if (r.redirected || !r.ok) { return null; }
          return r.text();
        })
        .then(function (html) {
          if (html === null) { return; }
          el.innerHTML = html;
          // a fragment that says the work is done asks for the whole page again
          if (el.querySelector("[data-reload]")) { window.location.reload(); return; }
          if (window.papiDownloads) { window.papiDownloads.attach(); }
        })
        .catch(function () { /* offline for a moment: try again at the next tick */ });
    }
    window.setInterval(tick, seconds * 1000);
  }
  function keys() {
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      var tag = (event.target && event.target.tagName) || "";
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
      var target = document.querySelector('[data-key="' + event.key + '"]');
      if (!target) { return; }
      event.preventDefault();
      if (target.tagName === "BUTTON" && target.value === "rejected") {
        var comment = document.getElementById("comment");
        if (comment && !comment.value) { comment.focus(); return; }
      }
      target.click();
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-poll]"), poll);
    keys();
  });
})();
