// The asset library's upload zone: many files at once, dropped or chosen, each sent on its own
// to the upload address with its own progress bar and its own answer (uploaded, or refused and
// why). Without scripts the form still posts every chosen file in one go.
(function () {
  "use strict";

  // One file at a time: the server reads each one as it lands (ffprobe, thumbnails, spec
  // checks), and one upload already uses the line; the list shows every file's own progress.
  var PARALLEL = 1;

  function setUp(form) {
    var zone = form.querySelector("[data-asset-dropzone]");
    var input = form.querySelector("input[type=file]");
    var list = form.querySelector("[data-upload-list]");
    if (!zone || !input || !list) return;
    var queue = [];
    var running = 0;
    var finished = { done: 0, refused: 0 };
    var total = 0;

    function over(event) {
      event.preventDefault();
      zone.classList.add("is-over");
    }
    function leave() { zone.classList.remove("is-over"); }

    zone.addEventListener("dragenter", over);
    zone.addEventListener("dragover", over);
    zone.addEventListener("dragleave", leave);
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      leave();
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) add(files);
    });
    input.addEventListener("change", function () {
      if (input.files && input.files.length) {
        add(input.files);
        input.value = "";
      }
    });
    var button = form.querySelector("button[type=submit]");
    // Chosen files wait in the list until "Upload": the campaign and tags can still change.
    input.required = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!queue.length) {
        input.focus();
        return;
      }
      pump();
      label();
    });

    function add(files) {
      Array.prototype.forEach.call(files, function (file) {
        var item = row(file);
        list.appendChild(item.element);
        queue.push({ file: file, item: item });
        total += 1;
      });
      label();
    }

    function label() {
      if (!button) return;
      var waiting = queue.length;
      button.textContent = waiting ? "Upload " + waiting + " file" + (waiting > 1 ? "s" : "") : "Upload";
    }

    function row(file) {
      var element = document.createElement("li");
      element.className = "upload-item";
      var name = document.createElement("span");
      name.className = "upload-name";
      name.textContent = file.name;
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", "Upload of " + file.name);
      var outcome = document.createElement("span");
      outcome.className = "upload-outcome";
      outcome.textContent = "Ready to upload";
      element.appendChild(name);
      element.appendChild(bar);
      element.appendChild(outcome);
      return { element: element, bar: bar, outcome: outcome };
    }

    function pump() {
      while (running < PARALLEL && queue.length) {
        var next = queue.shift();
        running += 1;
        send(next.file, next.item);
      }
    }

    function fields(file) {
      var data = new FormData();
      Array.prototype.forEach.call(form.elements, function (element) {
        if (!element.name || element.type === "file" || element.disabled) return;
        if ((element.type === "checkbox" || element.type === "radio") && !element.checked) return;
        if (element.name === "next") return;
        data.append(element.name, element.value);
      });
      data.append("files", file, file.name);
      return data;
    }

    function send(file, item) {
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.responseType = "json";
      item.outcome.textContent = "Uploading…";
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          var percent = Math.round((event.loaded / event.total) * 100);
          item.bar.value = percent;
          item.outcome.textContent = percent < 100 ? "Uploading… " + percent + " %" : "Reading the file…";
        }
      });
      request.addEventListener("load", function () {
        var body = request.response;
        var result = body && body.results && body.results[0];
        if (result && result.ok) {
          succeeded(item, result);
        } else {
          var message = (result && result.error) || (body && body.detail) ||
            "The server did not take the file (answer " + request.status + ").";
          refused(item, message, result && result.existing);
        }
        next();
      });
      request.addEventListener("error", function () {
        refused(item, "The upload broke off (network). Check the connection and try again.");
        next();
      });
      request.send(fields(file));
    }

    function succeeded(item, result) {
      finished.done += 1;
      item.bar.value = 100;
      item.element.classList.add("is-done");
      item.outcome.textContent = "";
      var link = document.createElement("a");
      link.href = result.asset.url;
      link.textContent = result.asset.name;
      item.outcome.appendChild(document.createTextNode("Uploaded as "));
      item.outcome.appendChild(link);
      var blocking = result.asset.blocking;
      var findings = result.asset.findings;
      var tail = blocking ? " · " + blocking + " blocking spec finding" + (blocking > 1 ? "s" : "")
        : findings ? " · " + findings + " warning" + (findings > 1 ? "s" : "") : "";
      item.outcome.appendChild(document.createTextNode(tail));
    }

    function refused(item, message, existing) {
      finished.refused += 1;
      item.element.classList.add("is-refused");
      item.bar.value = 0;
      item.outcome.textContent = "Not uploaded: " + message + " ";
      if (existing) {
        var link = document.createElement("a");
        link.href = existing;
        link.textContent = "Open the existing asset";
        item.outcome.appendChild(link);
      }
    }

    function next() {
      running -= 1;
      if (queue.length) {
        pump();
      } else if (!running) {
        refresh();
      }
    }

    function refresh() {
      if (!finished.done) return;
      // Show the new assets in the list below without leaving the page.
      fetch(window.location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) return;
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("results");
          var current = document.getElementById("results");
          if (fresh && current) current.replaceWith(document.importNode(fresh, true));
        })
        .catch(function () { /* the list shows them on the next visit */ });
    }
  }

  function start() {
    document.querySelectorAll("form[data-asset-upload]").forEach(setUp);
  }

  if (document.readyState !== "loading") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
