/* A form that saves carries a one-time token (tracking.submissions): while its request is in
   flight, Save is disabled and another Enter or click sends nothing. The server answers a repeat
   with the first answer anyway; this keeps the page from asking twice. When no answer comes (a
   lost connection), Save comes back after a while: sending again is safe, the token sees to it.
   In a file, not inline: the Content-Security-Policy runs no inline script. */
(function () {
  "use strict";
  var RETRY_AFTER = 15000;

  function buttons(form) {
    return form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
  }

  function release(form) {
    delete form.dataset.submitting;
    form.removeAttribute("aria-busy");
    Array.prototype.forEach.call(buttons(form), function (button) { button.disabled = false; });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.querySelector("input[name=submission]")) return;
    if (form.dataset.submitting) { event.preventDefault(); return; }
    if (event.defaultPrevented) return;
    form.dataset.submitting = "true";
    form.setAttribute("aria-busy", "true");
    // After the browser has read the pressed button's name and value (a disabled one sends none).
    setTimeout(function () {
      Array.prototype.forEach.call(buttons(form), function (button) { button.disabled = true; });
    }, 0);
    setTimeout(function () { release(form); }, RETRY_AFTER);
  });

  // A page brought back by Back/Forward is usable again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      Array.prototype.forEach.call(document.querySelectorAll("form[data-submitting]"), release);
    }
  });
})();
