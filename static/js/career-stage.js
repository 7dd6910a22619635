/* Career-stage step of sign-up and settings: show only the chosen stage's fields.
   Progressive enhancement: without this script every group shows and the server still
   requires what the chosen stage needs. Hidden fields keep their values until the form is
   saved; the server clears the fields of stages other than the chosen one. */
(function () {
  "use strict";

  function setUp(form) {
    var radios = form.querySelectorAll('input[name="career_stage"]');
    var groups = form.querySelectorAll("[data-stage-fields]");
    if (!radios.length || !groups.length) {
      return;
    }

    function chosenStage() {
      var checked = form.querySelector('input[name="career_stage"]:checked');
      return checked ? checked.value : "";
    }

    function update() {
      var stage = chosenStage();
      groups.forEach(function (group) {
        var active = group.getAttribute("data-stage-fields") === stage;
        group.hidden = !active;
        group.querySelectorAll("input, select, textarea").forEach(function (control) {
          if (active) {
            control.setAttribute("aria-required", "true");
          } else {
            control.removeAttribute("aria-required");
          }
        });
      });
      form.setAttribute("data-stage", stage);
    }

    radios.forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  }

  document.querySelectorAll("form[data-stage-form]").forEach(setUp);
})();
