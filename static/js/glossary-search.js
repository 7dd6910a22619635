/* Glossary: filter the terms as you type (progressive enhancement; without it every term shows). */
(function () {
  "use strict";

  var input = document.querySelector("[data-glossary-search]");
  if (!input) {
    return;
  }
  var terms = Array.prototype.slice.call(document.querySelectorAll("[data-glossary-term]"));
  var groups = document.querySelectorAll("[data-glossary-group]");
  var empty = document.querySelector("[data-glossary-empty]");
  var count = document.getElementById("glossary-count");
  var texts = terms.map(function (term) {
    return term.textContent.toLowerCase();
  });

  function update() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    terms.forEach(function (term, i) {
      var match = words.every(function (word) {
        return texts[i].indexOf(word) !== -1;
      });
      term.hidden = !match;
      if (match) {
        shown += 1;
      }
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector("[data-glossary-term]:not([hidden])");
    });
    empty.hidden = shown !== 0;
    count.textContent = words.length ? shown + " of " + terms.length + " terms match." : "";
  }

  input.addEventListener("input", update);
  if (input.value) {
    update();
  }
})();
