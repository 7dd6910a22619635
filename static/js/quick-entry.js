/* Quick entry: Enter saves (Shift+Enter adds a line); favourites, readings and the line form
   fill the box; code suggestions appear for the word being typed. The credit preview itself
   comes from the server through htmx. */
(function () {
  "use strict";
  var form = document.getElementById("quick-entry");
  var box = document.getElementById("id_text");
  if (!form || !box) return;

  function refresh() { box.dispatchEvent(new Event("input", { bubbles: true })); }
  function append(text) {
    box.value = (box.value.trim() + " " + text).trim() + " ";
    box.focus();
    refresh();
  }

  /* An accessible suggestion list under an input: arrows, Enter or Tab to choose, Escape. */
  function suggestions(input, list, currentWord, choose) {
    if (!input || !list) return { open: function () { return false; } };
    var timer = null, active = -1, items = [];
    function close() { list.hidden = true; list.innerHTML = ""; active = -1; items = []; input.setAttribute("aria-expanded", "false"); }
    function render(results) {
      items = results; active = -1; list.innerHTML = "";
      results.forEach(function (result, index) {
        var li = document.createElement("li");
        li.className = "list-group-item list-group-item-action small";
        li.setAttribute("role", "option");
        li.id = list.id + "-" + index;
        li.innerHTML = "<strong></strong> <span></span>";
        li.querySelector("strong").textContent = result.code;
        li.querySelector("span").textContent = result.descriptor;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); close(); choose(result.code); });
        list.appendChild(li);
      });
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", String(results.length > 0));
    }
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-expanded", "false");
    input.addEventListener("input", function () {
      var word = currentWord();
      clearTimeout(timer);
      if (word.length < 2 || /^\d{5}/.test(word) || /^[A-Za-z]\d{4}/.test(word) || /-/.test(word)) { close(); return; }
      timer = setTimeout(function () {
        fetch("/cpt-codes/suggest/?q=" + encodeURIComponent(word), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) { render((data.results || []).slice(0, 8)); })
          .catch(close);
      }, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        active = (active + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
        Array.prototype.forEach.call(list.children, function (li, i) {
          li.setAttribute("aria-selected", String(i === active));
          li.classList.toggle("active", i === active);
        });
        input.setAttribute("aria-activedescendant", list.id + "-" + active);
      } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
        event.preventDefault(); event.stopImmediatePropagation();
        var code = items[active].code; close(); choose(code);
      } else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    return { open: function () { return !list.hidden && active >= 0; } };
  }

  // The box: suggestions for the word at the cursor replace that word.
  var boxList = suggestions(box, document.getElementById("code-suggestions"), function () {
    var match = box.value.slice(0, box.selectionStart).match(/([^\s,;]*)$/);
    return match ? match[1] : "";
  }, function (code) {
    var start = box.selectionStart;
    var before = box.value.slice(0, start).replace(/([^\s,;]*)$/, code + " ");
    box.value = before + box.value.slice(start);
    box.selectionStart = box.selectionEnd = before.length;
    box.focus(); refresh();
  });

  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !boxList.open()) {
      event.preventDefault();
      // Nothing typed: nothing to save (a second Enter landing on the page after a save).
      var line = document.getElementById("id_line_code");
      if (!box.value.trim() && !(line && line.value.trim())) return;
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }
  });

  // The line form: pick a code, modifiers and units, then add it to the box.
  var lineCode = document.getElementById("id_line_code");
  suggestions(lineCode, document.getElementById("line-suggestions"), function () {
    return lineCode.value.trim();
  }, function (code) { lineCode.value = code; });

  document.addEventListener("click", function (event) {
    var add = event.target.closest(".js-add-code");
    if (add) { append(add.dataset.code); }
    var reading = event.target.closest(".js-reading");
    if (reading) {
      // Replace what was typed (matched whatever its case) and leave the rest as it is: the
      // case of an X can be what tells units from a modifier.
      var find = reading.dataset.replace.toUpperCase();
      var at = box.value.toUpperCase().indexOf(find);
      if (at >= 0) {
        box.value = box.value.slice(0, at) + reading.dataset.text + box.value.slice(at + find.length);
      }
      box.focus(); refresh();
    }
    if (event.target.closest(".js-add-line") && lineCode && lineCode.value.trim()) {
      var modifiers = Array.prototype.map.call(
        document.getElementById("id_line_modifiers").selectedOptions, function (o) { return o.value; });
      var units = parseInt(document.getElementById("id_line_units").value, 10) || 1;
      append([lineCode.value.trim().toUpperCase()].concat(modifiers).join("-") + (units > 1 ? " x" + units : ""));
      lineCode.value = "";
      document.getElementById("id_line_modifiers").selectedIndex = -1;
      document.getElementById("id_line_units").value = 1;
    }
  });
})();
