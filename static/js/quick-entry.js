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

  /* An accessible suggestion list under a field: arrows, Enter or Tab to choose, Escape.
     A one-line input is an ARIA combobox; a textarea may not take that role, so it stays a
     textbox that names its list (aria-controls, aria-activedescendant) and a polite status
     says how many codes were suggested. `onSettle` runs when the list closes unchosen. */
  function suggestions(input, list, currentWord, choose, onSettle) {
    var idle = { open: function () { return false; }, busy: function () { return false; } };
    if (!input || !list) return idle;
    var timer = null, active = -1, items = [], waiting = false;
    var combobox = input.tagName !== "TEXTAREA";
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    list.insertAdjacentElement("afterend", status);
    function expanded(on) { if (combobox) input.setAttribute("aria-expanded", String(on)); }
    // settled: closed without a choice, after a preview may have waited for it.
    function close(settled) {
      var wasOpen = !list.hidden || waiting;
      clearTimeout(timer); waiting = false;
      list.hidden = true; list.innerHTML = ""; active = -1; items = []; expanded(false);
      input.removeAttribute("aria-activedescendant");
      if (settled === true && wasOpen && onSettle) onSettle();
    }
    function settle() { close(true); }
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
      if (!results.length) { settle(); return; }
      waiting = false;
      list.hidden = false;
      expanded(true);
      status.textContent = results.length + " code" + (results.length === 1 ? "" : "s") +
        " suggested. Use up and down arrows to choose.";
    }
    if (combobox) input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    expanded(false);
    input.addEventListener("input", function () {
      var word = currentWord();
      clearTimeout(timer);
      if (word.length < 2 || /^\d{5}/.test(word) || /^[A-Za-z]\d{4}/.test(word) || /-/.test(word)) { close(); return; }
      waiting = true;
      timer = setTimeout(function () {
        fetch("/cpt-codes/suggest/?q=" + encodeURIComponent(word), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) { render((data.results || []).slice(0, 8)); })
          .catch(settle);
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
      } else if (event.key === "Escape") { settle(); }
    });
    input.addEventListener("blur", function () { setTimeout(settle, 150); });
    return {
      open: function () { return !list.hidden && active >= 0; },
      // A word is still being typed: suggestions are on their way or on screen.
      busy: function () { return waiting || !list.hidden; },
    };
  }

  // The box: suggestions for the word at the cursor replace that word.
  var boxList = suggestions(box, document.getElementById("code-suggestions"), function () {
    var match = box.value.slice(0, box.selectionStart).match(/([^\s,;/]*)$/);
    return match ? match[1] : "";
  }, function (code) {
    var start = box.selectionStart;
    var before = box.value.slice(0, start).replace(/([^\s,;/]*)$/, code + " ");
    box.value = before + box.value.slice(start);
    box.selectionStart = box.selectionEnd = before.length;
    box.focus(); refresh();
  }, function () { box.dispatchEvent(new Event("preview-now")); });

  // No preview while a word is half typed and its suggestions are open: it would mark the
  // word as "not a code" in red under the list. The preview follows once the list closes.
  form.addEventListener("htmx:confirm", function (event) {
    var trigger = event.detail.triggeringEvent;
    if (trigger && trigger.type === "input" && trigger.target === box && boxList.busy()) {
      event.preventDefault();
    }
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
