// The check page: the copy is sent as it is typed (a short pause after the last key), and the
// findings come back beside each text with the words at fault marked in a copy of the text.
// The server counts positions in code points (Python); a string here counts UTF-16 code units,
// so an emoji is one position there and two here: spans are converted before marking.
// Without this script the page's Check button does the same through the server.
(function () {
  "use strict";

  var PAUSE_MS = 300;
  var RANK = { info: 0, warning: 1, blocking: 2 };
  var TONES = { info: "info", warning: "warn", blocking: "bad" };

  // unitOffsets(text)[n] is the UTF-16 offset of code point n (and of the end at n = length).
  function unitOffsets(text) {
    var offsets = [0];
    var unit = 0;
    for (var char of text) {
      unit += char.length;
      offsets.push(unit);
    }
    return offsets;
  }

  function toUnits(offsets, position) {
    var last = offsets.length - 1;
    return offsets[Math.max(0, Math.min(position, last))];
  }

  // Spans (in code units) merged where they overlap, each with its worst severity.
  function merged(spans) {
    spans.sort(function (a, b) { return a.start - b.start || a.end - b.end; });
    var out = [];
    spans.forEach(function (span) {
      if (span.end <= span.start) return;
      var last = out[out.length - 1];
      if (last && span.start < last.end) {
        last.end = Math.max(last.end, span.end);
        if (RANK[span.severity] > RANK[last.severity]) last.severity = span.severity;
      } else {
        out.push({ start: span.start, end: span.end, severity: span.severity });
      }
    });
    return out;
  }

  function drawMirror(mirror, text, findings) {
    var offsets = unitOffsets(text);
    var spans = [];
    findings.forEach(function (f) {
      if (f.start === null || f.end === null || f.start === undefined) return;
      spans.push({
        start: toUnits(offsets, f.start),
        end: toUnits(offsets, f.end),
        severity: f.severity
      });
    });
    spans = merged(spans);
    mirror.textContent = "";
    if (!spans.length) {
      mirror.hidden = true;
      return;
    }
    var at = 0;
    spans.forEach(function (span) {
      if (span.start > at) mirror.appendChild(document.createTextNode(text.slice(at, span.start)));
      var mark = document.createElement("mark");
      mark.className = "span span-" + span.severity;
      mark.textContent = text.slice(span.start, span.end);
      mirror.appendChild(mark);
      at = span.end;
    });
    if (at < text.length) mirror.appendChild(document.createTextNode(text.slice(at)));
    mirror.hidden = false;
  }

  function findingItem(f) {
    var li = document.createElement("li");
    li.className = "lint-finding sev-" + f.severity;
    var badge = document.createElement("span");
    badge.className = "badge tone-" + (TONES[f.severity] || "neutral");
    badge.textContent = f.severity_label;
    li.appendChild(badge);
    li.appendChild(document.createTextNode(" "));
    var message = document.createElement("span");
    message.className = "finding-message";
    message.textContent = f.message;
    li.appendChild(message);
    if (f.excerpt) {
      var where = document.createElement("span");
      where.className = "small";
      where.appendChild(document.createTextNode(" (“"));
      var mark = document.createElement("mark");
      mark.className = "span span-" + f.severity;
      mark.textContent = f.excerpt;
      where.appendChild(mark);
      var tail = "”";
      if (f.start !== null && f.end !== null && f.end > f.start) {
        tail += f.end - f.start === 1 ? ", character " + f.end : ", characters " + (f.start + 1) + "–" + f.end;
      }
      where.appendChild(document.createTextNode(tail + ")"));
      li.appendChild(where);
    }
    var source = document.createElement("span");
    source.className = "muted small";
    source.textContent = " · " + f.source;
    li.appendChild(source);
    return li;
  }

  function setUp(form) {
    var url = form.getAttribute("action") || window.location.pathname;
    var summary = form.querySelector("[data-lint-summary]");
    var inputs = Array.prototype.slice.call(form.querySelectorAll("[data-lint-input]"));
    var timer = null;
    var sequence = 0;
    var controller = null;

    function values() {
      var found = {};
      inputs.forEach(function (input) {
        found[input.getAttribute("data-lint-input")] = input.value.replace(/\r\n/g, "\n");
      });
      return found;
    }

    function render(data, sent) {
      var byInput = {};
      data.findings.forEach(function (f) {
        (byInput[f.input] = byInput[f.input] || []).push(f);
      });
      form.querySelectorAll("[data-findings]").forEach(function (list) {
        var name = list.getAttribute("data-findings");
        var mine = byInput[name] || [];
        list.textContent = "";
        mine.forEach(function (f) { list.appendChild(findingItem(f)); });
        if (!name) list.hidden = !mine.length;
      });
      inputs.forEach(function (input) {
        var name = input.getAttribute("data-lint-input");
        var mine = byInput[name] || [];
        var wrap = form.querySelector('[data-lint-field="' + name + '"]');
        var mirror = form.querySelector('[data-mirror="' + name + '"]');
        if (wrap) wrap.classList.toggle("has-finding", mine.length > 0);
        if (mirror) drawMirror(mirror, sent[name] || "", mine);
        if (mine.length) input.setAttribute("aria-describedby", "findings-" + name);
        else input.removeAttribute("aria-describedby");
      });
      summary.textContent = data.summary;
    }

    function send() {
      var mine = ++sequence;
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      var sent = values();
      var token = form.querySelector("[name=csrfmiddlewaretoken]");
      form.classList.add("is-checking");
      fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": token ? token.value : "" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        })
        .then(function (result) {
          if (mine !== sequence) return;
          form.classList.remove("is-checking");
          if (!result.ok) {
            var errors = result.data.errors || {};
            var texts = [];
            Object.keys(errors).forEach(function (key) { texts = texts.concat(errors[key]); });
            summary.textContent = "Not checked: " + (texts.join(" ") || "the copy could not be read.");
            return;
          }
          render(result.data, sent);
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") return;
          if (mine !== sequence) return;
          form.classList.remove("is-checking");
          summary.textContent = "Could not check just now; the Check button sends the copy again.";
        });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(send, PAUSE_MS);
    }

    inputs.forEach(function (input) { input.addEventListener("input", later); });
    form.querySelectorAll("select, input[type=checkbox]").forEach(function (control) {
      control.addEventListener("change", later);
    });
    form.querySelector("[name=market]").addEventListener("input", later);
    if (inputs.some(function (input) { return input.value; })) send();
  }

  function start() {
    document.querySelectorAll("form[data-lint-form]").forEach(setUp);
  }

  if (document.readyState !== "loading") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
