/* Code suggestions as you type, for every search form marked data-code-search.
   An ARIA 1.2 combobox: the input owns a listbox of options; Up/Down move through them
   (aria-activedescendant), Enter opens the highlighted code or else submits the search,
   Escape closes the list, and a polite live region says how many codes were found.
   Suggestions come from /cpt-codes/suggest/?q=... as {"results": [{code, descriptor, url}]}. */
(function () {
  "use strict";
  var MIN_LENGTH = 2;
  var DELAY_MS = 120;
  var counter = 0;

  function setUp(form) {
    var input = form.querySelector("input[name=q]");
    if (!input || input.dataset.codeSearchReady) return;
    input.dataset.codeSearchReady = "1";
    var id = "code-suggest-" + (++counter);

    var list = document.createElement("ul");
    list.id = id + "-list";
    list.className = "code-search-list list-group shadow";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggested codes");
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    form.classList.add("code-search-form");
    form.appendChild(list);
    form.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");

    var timer = null, controller = null, items = [], active = -1, lastQuery = "";

    function options() { return list.querySelectorAll("[role=option]"); }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var nodes = options();
      if (!nodes.length) return;
      active = (index + nodes.length) % nodes.length;
      nodes.forEach(function (node, i) {
        var on = i === active;
        node.setAttribute("aria-selected", on ? "true" : "false");
        node.classList.toggle("active", on);
      });
      input.setAttribute("aria-activedescendant", nodes[active].id);
      nodes[active].scrollIntoView({ block: "nearest" });
    }

    function open(result) { window.location.assign(result.url); }

    function render(results, query) {
      items = results;
      list.innerHTML = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      results.forEach(function (result, index) {
        var li = document.createElement("li");
        li.id = id + "-option-" + index;
        li.className = "list-group-item list-group-item-action code-search-option";
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var code = document.createElement("strong");
        code.className = "me-2";
        code.textContent = result.code;
        var text = document.createElement("span");
        text.textContent = result.descriptor;
        li.appendChild(code);
        li.appendChild(text);
        // mousedown, not click: it comes before the input's blur.
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          open(result);
        });
        list.appendChild(li);
      });
      var shown = results.length > 0;
      list.hidden = !shown;
      input.setAttribute("aria-expanded", shown ? "true" : "false");
      status.textContent = shown
        ? results.length + " code" + (results.length === 1 ? "" : "s") + " suggested. Use up and down arrows to choose."
        : "No codes suggested for " + query + ". Press Enter to search.";
    }

    function fetchSuggestions() {
      var query = input.value.trim();
      if (query === lastQuery && !list.hidden) return;
      lastQuery = query;
      if (controller) controller.abort();
      if (query.length < MIN_LENGTH) { items = []; list.innerHTML = ""; close(); status.textContent = ""; return; }
      controller = window.AbortController ? new AbortController() : null;
      fetch("/cpt-codes/suggest/?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          if (input.value.trim() === query) render(data.results || [], query);
        })
        .catch(function (error) { if (error.name !== "AbortError") close(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var expanded = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!expanded) {
          if (items.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
          else { fetchSuggestions(); }
          event.preventDefault();
          return;
        }
        event.preventDefault();
        highlight(event.key === "ArrowDown" ? active + 1 : active - 1);
      } else if (event.key === "Enter") {
        if (expanded && active >= 0 && items[active]) {
          event.preventDefault();
          open(items[active]);
        }
        // otherwise the form submits to the results page
      } else if (event.key === "Escape") {
        if (expanded) { event.preventDefault(); close(); }
      } else if (event.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", function () { setTimeout(close, 100); });
    input.addEventListener("focus", function () {
      if (items.length && input.value.trim() === lastQuery) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    });
  }

  function init() {
    document.querySelectorAll("form[data-code-search]").forEach(setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
