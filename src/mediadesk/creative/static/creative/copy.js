// Live character counters on the copy form: each field against the limit of the chosen spec,
// counted the way the spec check counts (code points after NFC; some platforms count wide
// characters twice, X counts a link as 23). The saved copy is checked on the server anyway.
(function () {
  "use strict";

  var LINK = /(?:https?:\/\/|www\.)\S+/gi;
  // East Asian wide and full-width ranges (the common blocks; the server decides exactly).
  var WIDE = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/;

  function count(text, limit) {
    var normal = text.normalize ? text.normalize("NFC") : text;
    if (limit && limit.x_post) {
      var links = normal.match(LINK) || [];
      return Array.from(normal.replace(LINK, "")).length + 23 * links.length;
    }
    var chars = Array.from(normal);
    if (limit && limit.double_width) {
      return chars.reduce(function (sum, char) { return sum + (WIDE.test(char) ? 2 : 1); }, 0);
    }
    return chars.length;
  }

  function setUp(form) {
    var source = document.getElementById("copy-limits");
    var limits = source ? JSON.parse(source.textContent) : {};
    var spec = form.elements.spec;
    var specName = function () {
      return spec && spec.selectedIndex >= 0 ? spec.options[spec.selectedIndex].text : "";
    };

    function update(input) {
      var wrap = input.closest("[data-copy-wrap]");
      var counter = wrap && wrap.querySelector("[data-counter]");
      if (!counter) return;
      var field = input.getAttribute("data-copy-field");
      var chosen = spec && spec.value ? limits[spec.value] || {} : null;
      var limit = chosen ? chosen[field] : null;
      var length = count(input.value, limit);
      var over = false;
      var near = false;
      var text = length + " character" + (length === 1 ? "" : "s");
      if (limit && limit.max) {
        text = length + " / " + limit.max + " characters";
        over = length > limit.max;
        near = !over && length > limit.max * 0.9;
        if (over) text += " — " + (length - limit.max) + " over the limit";
      } else if (limit && limit.recommended) {
        text += " (recommended up to " + limit.recommended + ")";
        near = length > limit.recommended;
      }
      if (limit && limit.min && length && length < limit.min) {
        text += " — at least " + limit.min;
        over = true;
      }
      if (chosen && !limit && input.value.trim()) {
        text += " · not a field of " + specName();
        near = true;
      }
      counter.textContent = input.value || limit ? text : "";
      counter.classList.toggle("is-over", over);
      counter.classList.toggle("is-near", near);
      wrap.classList.toggle("is-over", over);
      input.setAttribute("aria-describedby", counter.id);
    }

    var inputs = form.querySelectorAll("[data-copy-field]");
    function all() { inputs.forEach(update); }
    inputs.forEach(function (input) {
      input.addEventListener("input", function () { update(input); });
    });
    if (spec) spec.addEventListener("change", all);
    all();
  }

  function start() {
    document.querySelectorAll("form[data-copy-form]").forEach(setUp);
  }

  if (document.readyState !== "loading") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
