/* Quick entry: Enter saves (Shift+Enter adds a line), favourites and readings fill the box,
   and code suggestions appear for the word being typed. The preview itself comes from the
   server through htmx. */
(function () {
  "use strict";
  var form = document.getElementById("quick-entry");
  var box = document.getElementById("id_text");
  var list = document.getElementById("code-suggestions");
  if (!form || !box) return;

  function refresh() { box.dispatchEvent(new Event("input", { bubbles: true })); }

  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      if (list && !list.hidden && list.querySelector("[aria-selected=true]")) return;
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });

  document.addEventListener("click", function (event) {
    var add = event.target.closest(".js-add-code");
    if (add) {
      box.value = (box.value.trim() + " " + add.dataset.code).trim() + " ";
      box.focus();
      refresh();
    }
    var reading = event.target.closest(".js-reading");
    if (reading) {
      box.value = box.value.toUpperCase().replace(reading.dataset.replace, reading.dataset.text);
      box.focus();
      refresh();
    }
  });

  // Suggestions for the word at the cursor: /cpt-codes/suggest/?q=...
  if (!list || !box.dataset) return;
  var timer = null, active = -1, items = [];
  function currentWord() {
    var before = box.value.slice(0, box.selectionStart);
    var match = before.match(/([^\s,;]*)$/);
    return match ? match[1] : "";
  }
  function close() { list.hidden = true; list.innerHTML = ""; active = -1; items = []; }
  function choose(code) {
    var start = box.selectionStart;
    var before = box.value.slice(0, start).replace(/([^\s,;]*)$/, code + " ");
    box.value = before + box.value.slice(start);
    box.selectionStart = box.selectionEnd = before.length;
    close(); box.focus(); refresh();
  }
  function render(results) {
    items = results; active = -1; list.innerHTML = "";
    results.forEach(function (result, index) {
      var li = document.createElement("li");
      li.className = "list-group-item list-group-item-action small";
      li.setAttribute("role", "option");
      li.id = "suggestion-" + index;
      li.innerHTML = "<strong></strong> <span></span>";
      li.querySelector("strong").textContent = result.code;
      li.querySelector("span").textContent = result.descriptor;
      li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(result.code); });
      list.appendChild(li);
    });
    list.hidden = results.length === 0;
  }
  box.addEventListener("input", function () {
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
  box.addEventListener("keydown", function (event) {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      Array.prototype.forEach.call(list.children, function (li, i) { li.setAttribute("aria-selected", i === active); li.classList.toggle("active", i === active); });
      box.setAttribute("aria-activedescendant", "suggestion-" + active);
    } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
      event.preventDefault(); choose(items[active].code);
    } else if (event.key === "Escape") { close(); }
  });
  box.addEventListener("blur", function () { setTimeout(close, 150); });
})();
