// The delivery upload's drop zone: a file dropped on it fills the ordinary file input, which
// still works alone (keyboard, no scripts). The form is submitted by its button as usual.
(function () {
  "use strict";

  function setUp(zone) {
    var input = zone.querySelector("input[type=file]");
    var name = zone.querySelector("[data-dropzone-name]");
    if (!input) return;

    function show() {
      if (name) name.textContent = input.files && input.files.length ? "Chosen: " + input.files[0].name : "";
    }

    function over(event) {
      event.preventDefault();
      zone.classList.add("is-over");
    }

    function leave() {
      zone.classList.remove("is-over");
    }

    input.addEventListener("change", show);
    zone.addEventListener("dragenter", over);
    zone.addEventListener("dragover", over);
    zone.addEventListener("dragleave", leave);
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      leave();
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) return;
      var chosen = new DataTransfer();
      chosen.items.add(files[0]);  // one export per import
      input.files = chosen.files;
      show();
      input.focus();
    });
  }

  function start() {
    document.querySelectorAll("[data-dropzone]").forEach(setUp);
  }

  if (document.readyState !== "loading") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
