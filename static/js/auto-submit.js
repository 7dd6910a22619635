/* A <select data-auto-submit> sends its form as soon as it changes (the dashboard's period and
   grouping, the case log's year). In a file, not an onchange attribute: the
   Content-Security-Policy runs no inline script or event handler. Each form keeps a
   <noscript> button for browsers without JavaScript. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-auto-submit]") && field.form) {
      field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
    }
  });
})();
