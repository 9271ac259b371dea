// The meeting page: the notes are saved as they are typed (every few seconds while they change,
// and when the box loses focus), with a line saying when they were last saved. The Save button
// still works without this script. If someone else saved other notes in the meantime, nothing
// is overwritten: the page says so, and the next Save replaces their text.
(function () {
  "use strict";

  var EVERY_MS = 4000;

  function onReady(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  onReady(function () {
    var form = document.querySelector("form[data-autosave]");
    if (!form) return;
    var box = form.querySelector("textarea[name=notes]");
    var base = form.querySelector("input[name=base]");
    var status = form.querySelector("[data-save-status]");
    if (!box || !base) return;
    var saved = box.value;
    var inFlight = null;
    var paused = false;

    function show(text, isError) {
      if (!status) return;
      status.textContent = text;
      status.classList.toggle("is-overdue", Boolean(isError));
    }

    function save(force) {
      if (inFlight) return inFlight;
      var text = box.value;
      if (text === saved && !force) return Promise.resolve(true);
      if (paused && !force) return Promise.resolve(false);
      var data = new FormData(form);
      data.set("notes", text);
      data.set("base", base.value);
      show("Saving…", false);
      inFlight = fetch(form.action, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        keepalive: true,
      })
        .then(function (response) {
          return response.json().then(function (body) { return { code: response.status, body: body }; });
        })
        .then(function (answer) {
          if (answer.code === 200) {
            saved = text;
            base.value = text;
            paused = false;
            show("Saved at " + answer.body.time + ".", false);
            return true;
          }
          if (answer.code === 409) {
            paused = true;  // do not overwrite someone else's notes without being asked
            base.value = answer.body.notes;
            show(answer.body.detail, true);
            return false;
          }
          show("Not saved: " + (answer.body.detail || "the server refused.") + " Keep this page open and try Save.", true);
          return false;
        })
        .catch(function () {
          show("Not saved: the server could not be reached. Your text is still here; it is saved when the connection is back.", true);
          return false;
        })
        .finally(function () {
          inFlight = null;
        });
      return inFlight;
    }

    box.addEventListener("input", function () {
      if (!paused) show("Changed; saving in a moment…", false);
    });
    box.addEventListener("blur", function () { save(false); });
    window.setInterval(function () { save(false); }, EVERY_MS);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save(true);
    });

    // Finishing the meeting saves the notes first.
    document.querySelectorAll("form[data-flush-notes]").forEach(function (other) {
      other.addEventListener("submit", function (event) {
        if (box.value === saved || paused) return;
        event.preventDefault();
        save(false).then(function () { other.submit(); });
      });
    });

    // Leaving the page sends what is unsaved (keepalive lets the request finish).
    window.addEventListener("pagehide", function () {
      if (box.value !== saved) save(false);
    });
  });
})();
