/* A table wider than its box scrolls sideways (.table-responsive). Keyboard users must be able
   to scroll it too (WCAG 2.1.1), so a box that overflows becomes a focusable region named after
   its table's caption or the nearest heading; one that fits is left alone, out of the tab order.
   Checked on load, after htmx swaps and when the window is resized. */
(function () {
  "use strict";

  function name(box) {
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var section = box.closest("section, article, [aria-labelledby]");
    var heading = section && section.querySelector("h1, h2, h3, h4");
    return heading ? heading.textContent.trim() : "Table";
  }

  function mark() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.dataset.scrollRegion) {
        box.dataset.scrollRegion = "1";
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", name(box) + " (scrolls sideways)");
      } else if (!scrolls && box.dataset.scrollRegion) {
        delete box.dataset.scrollRegion;
        ["tabindex", "role", "aria-label"].forEach(function (attribute) { box.removeAttribute(attribute); });
      }
    });
  }

  var pending = null;
  function soon() { clearTimeout(pending); pending = setTimeout(mark, 100); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark);
  else mark();
  window.addEventListener("resize", soon);
  document.addEventListener("htmx:afterSettle", soon);
})();
