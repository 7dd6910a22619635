/* Medicare payment calculator: a filter box over the long locality list. Progressive
   enhancement: without it the plain select works (type-ahead included). */
(function () {
  "use strict";

  var filter = document.querySelector("[data-locality-filter]");
  var select = document.getElementById("id_locality");
  if (!filter || !select) {
    return;
  }
  var all = Array.prototype.map.call(select.options, function (option) {
    return { value: option.value, label: option.text, text: option.text.toLowerCase() };
  });
  filter.hidden = false;

  filter.addEventListener("input", function () {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    var current = select.value;
    var matches = all.filter(function (item) {
      return item.value === "" || words.every(function (word) {
        return item.text.indexOf(word) !== -1;
      });
    });
    select.innerHTML = "";
    matches.forEach(function (item) {
      var option = new Option(item.label, item.value, false, item.value === current);
      select.add(option);
    });
    // With one locality left besides national, choose it.
    if (matches.length === 2 && current === "") {
      select.value = matches[1].value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
})();
