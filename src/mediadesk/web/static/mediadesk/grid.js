// The plan grid (planning/plan_grid.html): a draft's placements edited like a spreadsheet.
//
// Keyboard: arrow keys move between cells; Enter, F2 or simply typing edits the active cell;
// Enter keeps the value (and moves down), Escape undoes the edit, Tab/Shift+Tab move right/left;
// Delete clears a cell, or removes the line when pressed on its selection box; Ctrl/Cmd+S saves.
// Rows pasted from Excel or Google Sheets (tab-separated text) fill the grid from the active
// cell, adding lines as needed. Changed lines are sent as the texts in their cells; the server
// reads them with the plan import's rules and answers per line with the saved values or the
// errors by cell, which stay beside what was typed.
(function () {
  "use strict";

  // The signs planning/imports.py (DECIMAL_COMMA, DECIMAL_POINT) reads a file's number style by;
  // a paste is judged as a whole the same way and the server is told the verdict per cell.
  var DECIMAL_COMMA = /\d,\d{1,2}(?!\d)|\d\.\d{3},\d/;
  var DECIMAL_POINT = /\d\.\d{1,2}(?!\d)|\d,\d{3}\.\d/;
  var MAX_REQUESTS = 20; // a save of many lines goes in at most this many requests

  function onReady(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function plural(count, one, many) {
    return count + " " + (count === 1 ? one : many);
  }

  function setup(root) {
    var table = document.getElementById("grid-table");
    var tbody = table.tBodies[0];
    var editable = root.getAttribute("data-editable") === "true";
    var columns = Array.prototype.map.call(
      table.tHead.querySelectorAll("th[data-field]"),
      function (th) {
        return {
          field: th.getAttribute("data-field"),
          kind: th.getAttribute("data-kind"),
          label: th.getAttribute("data-label"),
          readonly: th.getAttribute("data-readonly") === "true"
        };
      }
    );
    var offset = editable ? 1 : 0; // the selection box comes before the first column
    var byField = {};
    columns.forEach(function (column, index) { byField[column.field] = index; });

    var statusBox = document.getElementById("grid-status");
    var saveButton = document.getElementById("grid-save");
    var alertBox = document.getElementById("grid-alert");
    var issues = document.getElementById("grid-issues");
    var template = document.getElementById("grid-new-row");

    var active = null; // the focused cell control
    var editing = false; // typing goes into the cell (arrows move the caret, not the cell)
    var before = ""; // the active cell's value when its edit began, for Escape
    var pointerDown = false;
    var saving = false;
    var frozen = false;
    var newKeys = 0;

    // --- structure ---------------------------------------------------------------------------

    function rows() { return Array.prototype.slice.call(tbody.rows); }

    function controlsOf(tr) {
      return Array.prototype.slice.call(tr.querySelectorAll(".row-select, .cell"));
    }

    function cellsOf(tr) {
      return Array.prototype.slice.call(tr.querySelectorAll(".cell"));
    }

    function isControl(element) {
      return element && element.closest && tbody.contains(element) &&
        (element.classList.contains("cell") || element.classList.contains("row-select"));
    }

    function isText(control) {
      return control.tagName === "INPUT" && control.type === "text";
    }

    function fieldOf(control) {
      var td = control.closest("td");
      return td ? td.getAttribute("data-field") : "";
    }

    function columnOf(control) {
      var field = fieldOf(control);
      return field ? columns[byField[field]] : null;
    }

    function cellOf(tr, field) {
      return tr.querySelector('td[data-field="' + field + '"] .cell');
    }

    function where(control) {
      var tr = control.closest("tr");
      return { r: rows().indexOf(tr), c: controlsOf(tr).indexOf(control) };
    }

    function isBlank(tr) {
      return !tr.getAttribute("data-id") && cellsOf(tr).every(function (control) {
        return control.readOnly || control.value.trim() === "";
      });
    }

    function prepare(tr) {
      var id = tr.getAttribute("data-id");
      var key = id ? "p" + id : "n" + (++newKeys);
      tr.setAttribute("data-key", key);
      controlsOf(tr).forEach(function (control) {
        control.tabIndex = -1;
        var field = fieldOf(control);
        if (field) control.id = "c-" + key + "-" + field;
      });
    }

    function relabel() {
      rows().forEach(function (tr, index) {
        var n = index + 1;
        tr.querySelector(".ln-no").textContent = String(n);
        var box = tr.querySelector(".row-select");
        if (box) box.setAttribute("aria-label", "Select line " + n);
        cellsOf(tr).forEach(function (control) {
          control.setAttribute("aria-label", columnOf(control).label + ", line " + n);
        });
      });
    }

    function addRow(beforeRow) {
      var tr = template.content.firstElementChild.cloneNode(true);
      tbody.insertBefore(tr, beforeRow || null);
      prepare(tr);
      relabel();
      return tr;
    }

    function ensureBlankRow() {
      var list = rows();
      if (!list.length || !isBlank(list[list.length - 1])) addRow();
    }

    function firstTrailingBlank() {
      var list = rows();
      var found = null;
      for (var i = list.length - 1; i >= 0 && isBlank(list[i]); i--) found = list[i];
      return found;
    }

    // --- moving and editing ------------------------------------------------------------------

    function setRoving(control) {
      table.querySelectorAll('[tabindex="0"]').forEach(function (other) {
        if (other !== control) other.tabIndex = -1;
      });
      control.tabIndex = 0;
    }

    function holder(control) { return control.closest("td, th"); }

    function activate(control, byPointer) {
      if (active && active !== control) leave();
      active = control;
      setRoving(control);
      holder(control).classList.add("active");
      editing = false;
      before = control.value;
      if (isText(control) && !control.readOnly) {
        if (byPointer) startEdit(control, true);
        else control.select();
      }
    }

    function leave() {
      if (!active) return;
      holder(active).classList.remove("active", "editing");
      editing = false;
    }

    function startEdit(control, keepCaret) {
      if (control.readOnly || control.classList.contains("row-select") || frozen) return;
      editing = true;
      holder(control).classList.add("editing");
      if (isText(control) && !keepCaret) {
        var end = control.value.length;
        control.setSelectionRange(end, end);
      }
    }

    function commit() {
      if (!active) return;
      editing = false;
      holder(active).classList.remove("editing");
      before = active.value;
    }

    function cancel() {
      if (!active) return;
      if (active.value !== before) {
        setValue(active, before);
        changed(active.closest("tr"), active);
      }
      commit();
      if (isText(active)) active.select();
    }

    function go(r, c) {
      var list = rows();
      if (!list.length) return;
      r = Math.max(0, Math.min(list.length - 1, r));
      var controls = controlsOf(list[r]);
      c = Math.max(0, Math.min(controls.length - 1, c));
      var control = controls[c];
      if (control === active) {
        if (isText(control)) control.select();
        return;
      }
      control.focus();
    }

    // Tab and Shift+Tab: along the line, wrapping to the next or previous one. False at either
    // end of the grid, where the browser's own Tab takes the focus out of it.
    function tab(pos, back) {
      var list = rows();
      var width = controlsOf(list[pos.r]).length;
      var r = pos.r;
      var c = pos.c + (back ? -1 : 1);
      if (c >= width) { r += 1; c = offset; }
      if (c < 0) { r -= 1; c = width - 1; }
      if (r < 0 || r >= list.length) return false;
      go(r, c);
      return true;
    }

    function onKeyDown(event) {
      var control = event.target;
      if (!isControl(control)) return;
      var key = event.key;
      if ((event.ctrlKey || event.metaKey) && !event.altKey && (key === "s" || key === "S")) {
        event.preventDefault();
        if (editing) commit();
        save();
        return;
      }
      if (event.altKey || event.ctrlKey || event.metaKey) return; // copy, paste, undo…
      var pos = where(control);
      if (editing) {
        if (key === "Enter") {
          event.preventDefault();
          commit();
          go(pos.r + (event.shiftKey ? -1 : 1), pos.c);
        } else if (key === "Tab") {
          commit();
          if (tab(pos, event.shiftKey)) event.preventDefault();
        } else if (key === "Escape") {
          event.preventDefault();
          cancel();
        } else if ((key === "ArrowUp" || key === "ArrowDown") && control.tagName !== "SELECT") {
          event.preventDefault();
          commit();
          go(pos.r + (key === "ArrowUp" ? -1 : 1), pos.c);
        }
        return;
      }
      switch (key) {
        case "ArrowUp": event.preventDefault(); go(pos.r - 1, pos.c); break;
        case "ArrowDown": event.preventDefault(); go(pos.r + 1, pos.c); break;
        case "ArrowLeft": event.preventDefault(); go(pos.r, pos.c - 1); break;
        case "ArrowRight": event.preventDefault(); go(pos.r, pos.c + 1); break;
        case "Home": event.preventDefault(); go(pos.r, offset); break;
        case "End": event.preventDefault(); go(pos.r, Infinity); break;
        case "PageDown": event.preventDefault(); go(pos.r + 10, pos.c); break;
        case "PageUp": event.preventDefault(); go(pos.r - 10, pos.c); break;
        case "Tab":
          if (tab(pos, event.shiftKey)) event.preventDefault();
          break;
        case "Enter":
        case "F2":
          event.preventDefault();
          if (editable) startEdit(control, false);
          break;
        case "Delete":
        case "Backspace":
          if (!editable || frozen) break;
          if (control.classList.contains("row-select")) {
            if (key === "Delete") {
            event.preventDefault();
            removeRows(control.checked ? null : [control.closest("tr")]);
          }
          } else if (!control.readOnly && (key === "Delete" || control.tagName === "SELECT")) {
            event.preventDefault();
            setValue(control, "");
            changed(control.closest("tr"), control);
            before = "";
          }
          break; // Backspace in a text cell: the browser clears it and the edit begins
        default:
          break;
      }
    }

    // --- values and changes ------------------------------------------------------------------

    function setValue(control, text) {
      if (control.tagName !== "SELECT") {
        control.value = text;
        return;
      }
      Array.prototype.slice.call(control.querySelectorAll("option[data-unmatched]"))
        .forEach(function (option) { option.remove(); });
      var wanted = text.trim().toLowerCase();
      var compact = wanted.replace(/[\s\-/]+/g, "_");
      if (!wanted) { control.value = ""; return; }
      for (var i = 0; i < control.options.length; i++) {
        var option = control.options[i];
        if (option.value && (option.value === wanted || option.value === compact ||
            option.text.toLowerCase() === wanted)) {
          control.value = option.value;
          return;
        }
      }
      // Not one of the choices: kept as written, so the server can say what it should be.
      var extra = new Option(text.trim(), text.trim());
      extra.setAttribute("data-unmatched", "true");
      control.add(extra);
      control.value = extra.value;
    }

    function isChanged(tr, control) {
      if (control.readOnly) return false;
      if (!tr.getAttribute("data-id")) return control.value.trim() !== "";
      return control.value !== control.getAttribute("data-orig");
    }

    function rowState(tr, state, note) {
      tr.setAttribute("data-state", state);
      var label = tr.querySelector(".ln-state");
      label.textContent = { edited: "edited", added: "new", error: "fix", saved: "saved",
        warn: "check" }[state] || "";
      if (note) label.title = note;
      else label.removeAttribute("title");
    }

    function refreshRow(tr) {
      var any = false;
      cellsOf(tr).forEach(function (control) {
        var yes = isChanged(tr, control);
        holder(control).classList.toggle("changed", yes);
        any = any || yes;
      });
      var hasErrors = !!tr.querySelector(".cell-error");
      var state = tr.getAttribute("data-state");
      if (hasErrors) rowState(tr, "error");
      else if (any) rowState(tr, tr.getAttribute("data-id") ? "edited" : "added");
      else if (state !== "saved" && state !== "warn") rowState(tr, "");
      return any;
    }

    function changed(tr, control) {
      if (control) clearError(control);
      refreshRow(tr);
      if (!isBlank(tr)) ensureBlankRow();
      refreshCounts();
    }

    function changedRows() {
      return rows().filter(function (tr) {
        return cellsOf(tr).some(function (control) { return isChanged(tr, control); });
      });
    }

    function refreshCounts() {
      if (!saveButton) return;
      var count = changedRows().length;
      saveButton.textContent = count ? "Save " + plural(count, "changed line", "changed lines")
        : "Save changes";
      if (!saving && !count && statusBox.getAttribute("data-idle") === "true") {
        say("No unsaved changes.", true);
      }
    }

    function say(text, idle) {
      if (!statusBox) return;
      statusBox.textContent = text;
      statusBox.setAttribute("data-idle", idle ? "true" : "false");
    }

    function onInput(event) {
      var control = event.target;
      if (!isControl(control) || control.classList.contains("row-select")) return;
      if (!editing && isText(control) && control === active) startEdit(control, true);
      control.removeAttribute("data-decimal-comma"); // typed: the server reads it on its own
      changed(control.closest("tr"), control);
    }

    // --- errors ------------------------------------------------------------------------------

    function clearError(control) {
      var place = holder(control);
      var note = place.querySelector(".cell-error");
      if (!note) return;
      note.remove();
      place.classList.remove("has-error");
      control.removeAttribute("aria-invalid");
      control.removeAttribute("aria-describedby");
      renderIssues();
    }

    function clearRowErrors(tr) {
      tr.querySelectorAll(".cell-error").forEach(function (note) { note.remove(); });
      tr.querySelectorAll(".has-error").forEach(function (place) {
        place.classList.remove("has-error");
      });
      controlsOf(tr).forEach(function (control) {
        control.removeAttribute("aria-invalid");
        control.removeAttribute("aria-describedby");
      });
    }

    function showError(control, message) {
      var place = holder(control);
      var note = document.createElement("div");
      note.className = "cell-error";
      note.id = (control.id || "c-" + control.closest("tr").getAttribute("data-key")) + "-error";
      note.textContent = message;
      place.appendChild(note);
      place.classList.add("has-error");
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", note.id);
    }

    function showErrors(tr, errors) {
      clearRowErrors(tr);
      Object.keys(errors).forEach(function (field) {
        var control = field === "__all__" ? null : cellOf(tr, field);
        if (control) showError(control, errors[field]);
        else showError(tr.querySelector(".row-select"), errors[field]);
      });
      rowState(tr, "error");
    }

    function renderIssues() {
      if (!issues) return;
      var list = issues.querySelector("ul");
      list.textContent = "";
      var lines = 0;
      rows().forEach(function (tr, index) {
        var notes = tr.querySelectorAll(".cell-error");
        if (!notes.length) return;
        lines += 1;
        notes.forEach(function (note) {
          var control = holder(note).querySelector(".cell, .row-select");
          var column = columnOf(control);
          var item = document.createElement("li");
          var link = document.createElement("a");
          link.href = "#" + control.id;
          link.textContent = "Line " + (index + 1) + (column ? " · " + column.label : "") +
            ": " + note.textContent;
          link.addEventListener("click", function (event) {
            event.preventDefault();
            control.focus();
          });
          item.appendChild(link);
          list.appendChild(item);
        });
      });
      issues.hidden = lines === 0;
      issues.querySelector("h2").textContent =
        plural(lines, "line needs", "lines need") + " attention";
    }

    function showAlert(text) {
      if (!alertBox) return;
      alertBox.textContent = text;
      alertBox.hidden = !text;
    }

    // --- paste -------------------------------------------------------------------------------

    // Tab-separated text as Excel and Google Sheets put it on the clipboard: lines end with
    // \n or \r\n; a cell holding a tab, a line break or a quote is quoted, with quotes doubled.
    function parseTsv(text) {
      var table = [];
      var line = [];
      var cell = "";
      var quoted = false;
      var fresh = true;
      for (var i = 0; i < text.length; i++) {
        var ch = text.charAt(i);
        if (quoted) {
          if (ch === '"' && text.charAt(i + 1) === '"') { cell += '"'; i++; }
          else if (ch === '"') quoted = false;
          else cell += ch;
        } else if (ch === '"' && fresh) {
          quoted = true;
          fresh = false;
        } else if (ch === "\t") {
          line.push(cell); cell = ""; fresh = true;
        } else if (ch === "\r" || ch === "\n") {
          if (ch === "\r" && text.charAt(i + 1) === "\n") i++;
          line.push(cell); table.push(line); line = []; cell = ""; fresh = true;
        } else {
          cell += ch;
          fresh = false;
        }
      }
      if (cell !== "" || line.length) { line.push(cell); table.push(line); }
      return table;
    }

    function columnAt(c) { return columns[c - offset] || null; }

    function looksLikeHeader(cells, start) {
      var matches = cells.filter(function (text, j) {
        var column = columnAt(start + j);
        return column && text.trim().toLowerCase() === column.label.toLowerCase();
      }).length;
      return matches >= Math.min(2, cells.length);
    }

    function numberStyle(table, start) {
      var comma = false;
      var point = false;
      table.forEach(function (cells) {
        cells.forEach(function (text, j) {
          var column = columnAt(start + j);
          if (!column || column.kind !== "number") return;
          comma = comma || DECIMAL_COMMA.test(text);
          point = point || DECIMAL_POINT.test(text);
        });
      });
      return comma || point ? String(comma && !point) : "";
    }

    function onPaste(event) {
      var control = event.target;
      if (!isControl(control) || !editable || frozen) return;
      var data = event.clipboardData;
      var text = data ? data.getData("text/plain") : "";
      if (!text) return;
      var table = parseTsv(text);
      if (!table.length) return;
      event.preventDefault();
      if (table.length === 1 && table[0].length === 1 && !control.classList.contains("row-select")) {
        if (control.readOnly) return;
        var value = table[0][0].trim();
        if (isText(control)) {
          control.setRangeText(value, control.selectionStart, control.selectionEnd, "end");
          startEdit(control, true);
        } else {
          setValue(control, value);
        }
        control.removeAttribute("data-decimal-comma");
        changed(control.closest("tr"), control);
        return;
      }
      pasteTable(table, where(control));
    }

    function pasteTable(table, pos) {
      var start = Math.max(pos.c, offset);
      if (table.length > 1 && looksLikeHeader(table[0], start)) table = table.slice(1);
      var style = numberStyle(table, start);
      var list = rows();
      var touched = 0;
      table.forEach(function (cells, i) {
        var tr = list[pos.r + i] || addRow();
        var controls = controlsOf(tr);
        cells.forEach(function (text, j) {
          var control = controls[start + j];
          if (!control || control.readOnly || control.classList.contains("row-select")) return;
          setValue(control, text.trim());
          if (style && columnOf(control).kind === "number") {
            control.setAttribute("data-decimal-comma", style);
          } else {
            control.removeAttribute("data-decimal-comma");
          }
          clearError(control);
        });
        refreshRow(tr);
        touched += 1;
      });
      ensureBlankRow();
      refreshCounts();
      if (active) before = active.value;
      say("Pasted " + plural(touched, "line", "lines") + " from line " + (pos.r + 1) +
        ". Check them, then save (Ctrl+S).");
    }

    // --- lines: add, duplicate, remove, select -----------------------------------------------

    function selectedRows() {
      return rows().filter(function (tr) {
        var box = tr.querySelector(".row-select");
        return box && box.checked && !isBlank(tr);
      });
    }

    function targetRows() {
      var chosen = selectedRows();
      if (chosen.length) return chosen;
      var tr = active && active.closest("tr");
      return tr && !isBlank(tr) ? [tr] : [];
    }

    function describe(tr) {
      var n = rows().indexOf(tr) + 1;
      var code = cellOf(tr, "code").value.trim();
      var vendor = cellOf(tr, "vendor").value.trim();
      var name = code || vendor;
      return "line " + n + (name ? " (" + name + ")" : "");
    }

    function refreshSelection() {
      var count = selectedRows().length;
      var label = document.getElementById("grid-selected");
      if (label) label.textContent = count ? plural(count, "line", "lines") + " selected"
        : "No lines selected";
      rows().forEach(function (tr) {
        var box = tr.querySelector(".row-select");
        tr.classList.toggle("selected", !!(box && box.checked));
      });
      var all = document.getElementById("grid-select-all");
      if (all) {
        var filled = rows().filter(function (tr) { return !isBlank(tr); }).length;
        all.checked = count > 0 && count === filled;
        all.indeterminate = count > 0 && count < filled;
      }
    }

    function focusRow(tr, field) {
      var control = field ? cellOf(tr, field) : controlsOf(tr)[offset];
      if (control) control.focus();
    }

    function duplicateRows() {
      var sources = targetRows();
      if (!sources.length) {
        say("Choose the lines to copy with the boxes in the first column, or go to a line.");
        return;
      }
      var place = firstTrailingBlank();
      var copies = sources.map(function (source) {
        var copy = addRow(place);
        cellsOf(source).forEach(function (control) {
          var field = fieldOf(control);
          if (control.readOnly) return;
          var target = cellOf(copy, field);
          // Codes are unique within a plan: the copy's gets the next free "-2", "-3"…
          setValue(target, field === "code" ? freeCode(control.value) : control.value);
          var style = control.getAttribute("data-decimal-comma");
          if (style) target.setAttribute("data-decimal-comma", style);
        });
        refreshRow(copy);
        return copy;
      });
      ensureBlankRow();
      refreshCounts();
      refreshSelection();
      var first = rows().indexOf(copies[0]) + 1;
      say((sources.length === 1 ? "Copied " + describe(sources[0]) + " to line " + first
        : "Copied " + sources.length + " lines to lines " + first + "–" +
          (first + copies.length - 1)) + "; save to keep the copy.");
      focusRow(copies[0]);
    }

    function removeRows(chosen) {
      var targets = (chosen || targetRows()).filter(function (tr) { return !isBlank(tr); });
      if (!targets.length) {
        say("Choose the lines to remove with the boxes in the first column, or go to a line.");
        return;
      }
      var names = targets.map(describe);
      var question = targets.length === 1
        ? "Remove " + names[0] + " from this draft?"
        : "Remove these " + targets.length + " lines from this draft?\n" + names.join("\n");
      if (!window.confirm(question)) return;
      var index = rows().indexOf(targets[0]);
      var saved = targets.filter(function (tr) { return tr.getAttribute("data-id"); });
      targets.filter(function (tr) { return !tr.getAttribute("data-id"); })
        .forEach(function (tr) { dropRow(tr); });
      var finish = function (message) {
        relabel();
        ensureBlankRow();
        refreshCounts();
        refreshSelection();
        renderIssues();
        say(message);
        var list = rows();
        if (list.length) focusRow(list[Math.min(index, list.length - 1)]);
      };
      if (!saved.length) { finish("Removed " + plural(targets.length, "line", "lines") + "."); return; }
      var ids = saved.map(function (tr) { return Number(tr.getAttribute("data-id")); });
      say("Removing " + plural(ids.length, "line", "lines") + "…");
      send(root.getAttribute("data-delete-url"), { ids: ids }).then(function (answer) {
        answer.deleted.forEach(function (id) {
          var tr = tbody.querySelector('tr[data-id="' + id + '"]');
          if (tr) dropRow(tr);
        });
        showTotals(answer.totals);
        finish("Removed " + plural(targets.length, "line", "lines") + " from the draft.");
      }, function (problem) {
        stop(problem);
        finish("Nothing more was removed.");
      });
    }

    function freeCode(code) {
      code = code.trim();
      if (!code) return "";
      var taken = {};
      rows().forEach(function (tr) { taken[cellOf(tr, "code").value.trim().toLowerCase()] = true; });
      var base = code.replace(/-\d+$/, "");
      for (var n = 2; ; n++) {
        if (!taken[(base + "-" + n).toLowerCase()]) return base + "-" + n;
      }
    }

    function dropRow(tr) {
      if (active && tr.contains(active)) { leave(); active = null; }
      tr.remove();
    }

    // --- bulk edit ---------------------------------------------------------------------------

    function setupBulk() {
      var form = document.getElementById("grid-bulk");
      if (!form) return;
      var field = document.getElementById("bulk-field");
      var text = document.getElementById("bulk-value");
      var choice = document.getElementById("bulk-choice");
      var to = document.getElementById("bulk-to");
      function swap() {
        var source = template.content.querySelector('td[data-field="' + field.value + '"] select');
        choice.textContent = "";
        if (source) {
          Array.prototype.forEach.call(source.options, function (option) {
            choice.add(new Option(option.text, option.value));
          });
        }
        choice.hidden = !source;
        text.hidden = !!source;
        to.htmlFor = source ? "bulk-choice" : "bulk-value";
      }
      field.addEventListener("change", swap);
      swap();
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var targets = selectedRows();
        var column = columns[byField[field.value]];
        if (!targets.length) {
          say("Select lines with the boxes in the first column first.");
          return;
        }
        var value = choice.hidden ? text.value : choice.value;
        targets.forEach(function (tr) {
          var control = cellOf(tr, column.field);
          setValue(control, value);
          control.removeAttribute("data-decimal-comma");
          clearError(control);
          refreshRow(tr);
        });
        refreshCounts();
        var shown = choice.hidden ? value : choice.options[choice.selectedIndex].text;
        say(column.label + " set to “" + shown + "” on " + plural(targets.length, "line", "lines") +
          "; save to keep it.");
      });
    }

    // --- saving ------------------------------------------------------------------------------

    function send(url, body) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json",
          "X-CSRFToken": root.getAttribute("data-csrf")
        },
        body: JSON.stringify(body)
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.redirected || type.indexOf("application/json") === -1) {
          var problem = new Error("The server did not take the changes (your session may have " +
            "ended). Log in again in another tab, then save again: your changes are still here.");
          problem.status = response.status;
          throw problem;
        }
        return response.json().then(function (answer) {
          if (response.ok) return answer;
          var refused = new Error(answer.detail || "The server answered " + response.status + ".");
          refused.status = response.status;
          refused.answer = answer;
          throw refused;
        });
      }, function () {
        throw new Error("The server could not be reached. Check the connection and save " +
          "again: your changes are still here.");
      });
    }

    function payload(tr) {
      var values = {};
      var sent = {};
      var styles = {};
      cellsOf(tr).forEach(function (control) {
        var field = fieldOf(control);
        sent[field] = control.value;
        if (!isChanged(tr, control)) return;
        values[field] = control.value;
        var style = control.getAttribute("data-decimal-comma");
        if (style) styles[field] = style === "true";
      });
      var row = {
        id: tr.getAttribute("data-id") ? Number(tr.getAttribute("data-id")) : null,
        client_key: tr.getAttribute("data-key"),
        values: values
      };
      if (Object.keys(styles).length) row.decimal_comma = styles;
      return { tr: tr, row: row, sent: sent };
    }

    function applyResult(item, result) {
      var tr = item.tr;
      if (!tbody.contains(tr)) return result.ok;
      if (!result.ok) {
        showErrors(tr, result.errors || { __all__: "This line was not saved." });
        return false;
      }
      clearRowErrors(tr);
      tr.setAttribute("data-id", String(result.id));
      cellsOf(tr).forEach(function (control) {
        var field = fieldOf(control);
        if (!(field in result.values)) return;
        var shown = result.values[field];
        // A cell changed again while the line was on its way keeps the newer text.
        if (control.readOnly || control.value === item.sent[field]) {
          setValue(control, shown);
          control.removeAttribute("data-decimal-comma");
        }
        if (!control.readOnly) control.setAttribute("data-orig", shown);
      });
      var warnings = (result.warnings || []).join(" ");
      rowState(tr, warnings ? "warn" : "saved", warnings);
      refreshRow(tr);
      if (active && tr.contains(active)) {
        before = active.value;
        if (!editing && isText(active)) active.select();
      }
      return true;
    }

    function showTotals(totals) {
      if (!totals) return;
      document.getElementById("grid-total-cost").textContent = totals.cost;
      document.getElementById("grid-total-net").textContent = totals.net_cost;
      document.getElementById("grid-lines").textContent = plural(totals.lines, "line", "lines");
    }

    function stop(problem) {
      showAlert(problem.message);
      if (problem.status === 409 || problem.status === 403) {
        frozen = true;
        root.classList.add("is-frozen");
        if (problem.answer && problem.answer.totals) showTotals(problem.answer.totals);
      }
    }

    function save() {
      if (!editable || saving) return;
      if (frozen) { say("This version cannot be changed any more; see the message above."); return; }
      if (editing) commit();
      var batch = changedRows().map(payload);
      if (!batch.length) { say("Nothing to save: no line has changed.", true); return; }
      saving = true;
      saveButton.setAttribute("aria-disabled", "true");
      root.setAttribute("aria-busy", "true");
      showAlert("");
      var total = batch.length;
      var size = Math.max(1, Math.ceil(total / MAX_REQUESTS));
      var done = 0;
      var good = 0;
      var bad = 0;
      function next() {
        if (done >= total) return Promise.resolve();
        var chunk = batch.slice(done, done + size);
        say("Saving " + (done + chunk.length) + " of " + total + "…");
        return send(root.getAttribute("data-save-url"), {
          rows: chunk.map(function (item) { return item.row; })
        }).then(function (answer) {
          answer.results.forEach(function (result, i) {
            if (applyResult(chunk[i], result)) good += 1; else bad += 1;
          });
          showTotals(answer.totals);
          done += chunk.length;
          return next();
        });
      }
      function finish(problem) {
        saving = false;
        saveButton.removeAttribute("aria-disabled");
        root.removeAttribute("aria-busy");
        renderIssues();
        refreshCounts();
        var parts = [good + " saved"];
        if (bad) parts.push(bad + (bad === 1 ? " needs" : " need") + " attention");
        var left = total - good - bad;
        if (problem) parts.push(left + " not sent");
        say(parts.join(", ") + "." + (problem ? " " + problem.message : ""));
      }
      next().then(function () { finish(null); }, function (problem) {
        if (problem.answer && problem.answer.results) {
          problem.answer.results.forEach(function (result, i) {
            if (applyResult(batch[done + i], result)) good += 1; else bad += 1;
          });
        }
        stop(problem);
        finish(problem);
      });
    }

    // --- wiring ------------------------------------------------------------------------------

    rows().forEach(prepare);
    var first = rows()[0];
    if (first) controlsOf(first)[offset].tabIndex = 0;

    table.addEventListener("mousedown", function () { pointerDown = true; }, true);
    document.addEventListener("mouseup", function () { pointerDown = false; });
    table.addEventListener("focusin", function (event) {
      if (isControl(event.target)) activate(event.target, pointerDown);
      pointerDown = false;
    });
    table.addEventListener("focusout", function (event) {
      if (!event.relatedTarget || !tbody.contains(event.relatedTarget)) leave();
    });
    table.addEventListener("keydown", onKeyDown);
    // Says the keyboard works now (browser tests wait for it before they type).
    table.setAttribute("data-ready", "true");
    if (!editable) return;

    table.addEventListener("input", onInput);
    table.addEventListener("change", function (event) {
      if (event.target.classList.contains("row-select")) refreshSelection();
    });
    table.addEventListener("paste", onPaste);
    var all = document.getElementById("grid-select-all");
    all.addEventListener("change", function () {
      rows().forEach(function (tr) {
        var box = tr.querySelector(".row-select");
        if (box) box.checked = all.checked && !isBlank(tr);
      });
      refreshSelection();
    });
    saveButton.addEventListener("click", save);
    document.getElementById("grid-add").addEventListener("click", function () {
      var tr = firstTrailingBlank() || addRow();
      ensureBlankRow();
      focusRow(tr);
      say("Line " + (rows().indexOf(tr) + 1) + " is ready for a new placement.");
    });
    document.getElementById("grid-duplicate").addEventListener("click", duplicateRows);
    document.getElementById("grid-remove").addEventListener("click", function () {
      removeRows(null);
    });
    setupBulk();
    document.addEventListener("keydown", function (event) {
      // Ctrl/Cmd+S saves from anywhere on the page, not only from inside the grid.
      if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "s" || event.key === "S") &&
          !isControl(event.target)) {
        event.preventDefault();
        save();
      }
    });
    window.addEventListener("beforeunload", function (event) {
      if (!changedRows().length) return;
      event.preventDefault();
      event.returnValue = "";
    });
    ensureBlankRow();
    refreshCounts();
  }

  onReady(function () {
    var root = document.getElementById("plan-grid");
    if (root) setup(root);
  });
})();
