// mediadesk's few lines of behaviour; everything works without them (forms still submit).
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  onReady(function () {
    document.documentElement.classList.add("js");

    // The client switcher applies on change; its button is for browsers without scripts.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });

    // A new token is selected when focused, ready to copy.
    document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
      input.addEventListener("focus", function () { input.select(); });
    });

    // Close the user menu with Escape, returning focus to it.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
        menu.removeAttribute("open");
        menu.querySelector("summary").focus();
      });
    });
  });

  // Destructive actions name what they affect and ask once.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
  }, true);

  // Tables marked data-keyboard-grid: arrow keys move between rows' links.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    var link = event.target.closest("table[data-keyboard-grid] tbody tr a");
    if (!link) return;
    var row = link.closest("tr");
    var next = event.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling;
    var target = next && next.querySelector("a");
    if (target) { target.focus(); event.preventDefault(); }
  });
})();
