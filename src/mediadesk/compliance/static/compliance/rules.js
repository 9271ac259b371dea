// The rule editor: one row per rule. Choosing a kind shows its parameters; rows are added
// (from the blank row's <template>), moved and removed here; when the form is sent, the rows
// become the rule set's JSON ({"version": 1, "rules": [...]}) in the hidden rules_json field.
// The server checks everything and answers with each problem beside its row. Without this
// script, the page offers the same rules as YAML/JSON text instead.
(function () {
  "use strict";

  var NO_FIELD = { targeting: true, spec: true };

  function rows(editor) {
    return Array.prototype.slice.call(editor.querySelectorAll("[data-rule-rows] > [data-rule-row]"));
  }

  function kindLabel(row) {
    var select = row.querySelector('[data-rule-key="kind"]');
    var field = row.querySelector('[data-rule-key="field"]');
    var text = select.options[select.selectedIndex] ? select.options[select.selectedIndex].text : "";
    if (field && field.value && !NO_FIELD[select.value]) text += " · " + field.value;
    return text;
  }

  function showKind(row) {
    var kind = row.querySelector('[data-rule-key="kind"]').value;
    row.querySelectorAll("[data-kind]").forEach(function (group) {
      group.hidden = group.getAttribute("data-kind") !== kind;
    });
    var fieldWrap = row.querySelector("[data-field-wrap]");
    if (fieldWrap) fieldWrap.hidden = !!NO_FIELD[kind];
    row.querySelector("[data-rule-summary]").textContent = kindLabel(row);
  }

  function renumber(editor) {
    var all = rows(editor);
    all.forEach(function (row, index) {
      var number = index + 1;
      row.id = "rule-" + number;
      row.querySelector("[data-rule-number]").textContent = "Rule " + number;
      row.querySelectorAll(".visually-hidden").forEach(function (hint) {
        hint.textContent = " rule " + number;
      });
      row.querySelector('[data-move="up"]').disabled = index === 0;
      row.querySelector('[data-move="down"]').disabled = index === all.length - 1;
    });
    var count = editor.closest("form").querySelector("[data-rule-count]");
    if (count) count.textContent = String(all.length);
    var empty = editor.querySelector("[data-rules-empty]");
    if (empty) empty.hidden = all.length > 0;
  }

  function lines(text) {
    return text.split(/\r?\n/).map(function (line) { return line.trim(); })
      .filter(function (line) { return line; });
  }

  function typed(input) {
    var type = input.getAttribute("data-type");
    var value = input.value;
    if (type === "bool") {
      if (input.checked) return true;
      return input.hasAttribute("data-default-on") ? false : undefined;
    }
    if (type === "lines") {
      var items = lines(value);
      return items.length ? items : undefined;
    }
    value = value.trim();
    if (!value) return undefined;
    // A whole number is sent as one; anything else as typed, so the server can say what is wrong.
    if (type === "int") return /^-?\d+$/.test(value) ? parseInt(value, 10) : value;
    return value;
  }

  function whenOf(row) {
    var when = {};
    ["channels", "categories", "platforms"].forEach(function (key) {
      var ticked = Array.prototype.slice.call(
        row.querySelectorAll('input[data-when="' + key + '"]:checked')
      ).map(function (box) { return box.value; });
      if (ticked.length) when[key] = ticked;
    });
    var markets = row.querySelector('[data-when="markets"]').value
      .split(/[,;\s]+/).map(function (m) { return m.trim(); }).filter(function (m) { return m; });
    if (markets.length) when.markets = markets;
    var sponsored = row.querySelector('[data-when="sponsored"]').value;
    if (sponsored === "yes") when.sponsored = true;
    if (sponsored === "no") when.sponsored = false;
    return Object.keys(when).length ? when : null;
  }

  function ruleOf(row) {
    var rule = {};
    var kind = row.querySelector('[data-rule-key="kind"]').value;
    ["id", "kind", "severity", "field"].forEach(function (key) {
      var input = row.querySelector('[data-rule-key="' + key + '"]');
      var value = input ? input.value.trim() : "";
      if (key === "field" && NO_FIELD[kind]) return;
      if (value) rule[key] = value;
    });
    var group = row.querySelector('[data-kind="' + kind + '"]');
    if (group) {
      group.querySelectorAll("[data-param]").forEach(function (input) {
        var value = typed(input);
        if (value !== undefined) rule[input.getAttribute("data-param")] = value;
      });
    }
    ["message", "note"].forEach(function (key) {
      var value = row.querySelector('[data-rule-key="' + key + '"]').value.trim();
      if (value) rule[key] = value;
    });
    var when = whenOf(row);
    if (when) rule.when = when;
    return rule;
  }

  function setUp(form) {
    var editor = form.querySelector("[data-rule-editor]");
    if (!editor) return;
    var list = editor.querySelector("[data-rule-rows]");
    var template = editor.querySelector("template[data-rule-template]");
    var added = 0;

    rows(editor).forEach(showKind);
    renumber(editor);

    editor.addEventListener("change", function (event) {
      var row = event.target.closest("[data-rule-row]");
      if (!row) return;
      if (event.target.matches('[data-rule-key="kind"], [data-rule-key="field"]')) showKind(row);
    });

    // A row's one-line description is the server's; once edited it says so until saved.
    editor.addEventListener("input", function (event) {
      var row = event.target.closest("[data-rule-row]");
      var description = row && row.querySelector("[data-rule-description]");
      if (description) description.textContent = kindLabel(row) + " — changed, saved with the rule set";
    });

    editor.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      var row = button.closest("[data-rule-row]");
      if (button.hasAttribute("data-add-rule")) {
        added += 1;
        var html = template.innerHTML.replace(/__n__/g, "new" + added);
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("[data-rule-row]");
        list.appendChild(fresh);
        showKind(fresh);
        renumber(editor);
        fresh.querySelector('[data-rule-key="kind"]').focus();
        return;
      }
      if (!row) return;
      if (button.hasAttribute("data-remove-rule")) {
        var next = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        renumber(editor);
        var focus = next ? next.querySelector('[data-rule-key="kind"]') : editor.querySelector("[data-add-rule]");
        if (focus) focus.focus();
        return;
      }
      var direction = button.getAttribute("data-move");
      if (direction === "up" && row.previousElementSibling) {
        list.insertBefore(row, row.previousElementSibling);
      } else if (direction === "down" && row.nextElementSibling) {
        list.insertBefore(row.nextElementSibling, row);
      }
      renumber(editor);
      button.focus();
    });

    form.addEventListener("submit", function () {
      var rules = rows(editor).map(ruleOf);
      form.querySelector("[name=rules_json]").value = JSON.stringify({ version: 1, rules: rules });
      form.querySelector("[name=editor]").value = "rows";
    });
  }

  function start() {
    document.querySelectorAll("form[data-rules-form]").forEach(setUp);
  }

  if (document.readyState !== "loading") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
