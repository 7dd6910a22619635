/* Live preview beside the post form in the admin: posts the Markdown to the staff-only preview
   endpoint and shows the HTML it returns. The server sanitizes that HTML exactly as the public
   page does, so the preview shows what readers will see (and nothing the page would strip). */
(function () {
  "use strict";

  var panel = document.getElementById("post-preview");
  var body = document.getElementById("id_body");
  if (!panel || !body) {
    return;
  }
  var form = body.form;
  var url = panel.getAttribute("data-preview-url");
  var timer = null;
  var latest = 0;

  function csrfToken() {
    var input = form.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function refresh() {
    var request = ++latest;
    var data = new FormData();
    data.append("body", body.value);
    panel.setAttribute("aria-busy", "true");
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
    })
      .then(function (response) {
        return response.text().then(function (text) {
          return { ok: response.ok, text: text };
        });
      })
      .then(function (result) {
        if (request !== latest) {
          return; // a newer request is on its way
        }
        if (result.ok) {
          panel.innerHTML = result.text;
        } else {
          panel.textContent = "Preview unavailable: " + result.text;
        }
        panel.setAttribute("aria-busy", "false");
      })
      .catch(function () {
        panel.textContent = "Preview unavailable (network error).";
        panel.setAttribute("aria-busy", "false");
      });
  }

  body.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  });
  refresh();
})();
