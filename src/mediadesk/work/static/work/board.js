// The task board: move a card to another column by dragging it, with its buttons, or with the
// keyboard (focus the card, then → or ←). Each move posts to the task's status address; without
// this script the buttons are plain forms and the page reloads.
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  onReady(function () {
    var board = document.querySelector("[data-board]");
    if (!board) return;
    var announcer = document.querySelector("[data-board-announce]");
    var columns = Array.prototype.slice.call(board.querySelectorAll("[data-drop]"));
    var order = columns.map(function (list) { return list.getAttribute("data-drop"); });

    function say(text) {
      if (announcer) announcer.textContent = text;
    }

    function listFor(status) {
      return board.querySelector('[data-drop="' + status + '"]');
    }

    function refreshColumn(list) {
      var cards = list.querySelectorAll("[data-task]");
      var empty = list.querySelector("[data-empty]");
      if (cards.length === 0 && !empty) {
        empty = document.createElement("li");
        empty.className = "board-empty muted";
        empty.setAttribute("data-empty", "");
        empty.textContent = "Nothing here.";
        list.appendChild(empty);
      } else if (cards.length > 0 && empty) {
        empty.remove();
      }
      var count = list.closest("[data-column]").querySelector("[data-column-count]");
      if (count) count.textContent = String(cards.length);
    }

    function placeCard(card, status) {
      var from = card.parentElement;
      var to = listFor(status);
      to.insertBefore(card, to.firstChild);
      card.setAttribute("data-status", status);
      card.querySelectorAll("button[data-to]").forEach(function (button) {
        button.hidden = button.getAttribute("data-to") === status;
      });
      refreshColumn(from);
      refreshColumn(to);
    }

    function move(card, status, keepFocus) {
      var current = card.getAttribute("data-status");
      if (!status || status === current || card.getAttribute("aria-busy") === "true") return;
      var form = card.querySelector("form[data-move]");
      if (!form) return;
      var data = new FormData(form);
      data.set("status", status);
      var label = listFor(status).getAttribute("data-label");
      var title = card.getAttribute("data-title");
      card.setAttribute("aria-busy", "true");
      fetch(form.action, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (answer) {
          if (!answer.ok) {
            say("Not moved: " + (answer.body.detail || "the server refused."));
            return;
          }
          placeCard(card, answer.body.status);
          say("Moved “" + title + "” to " + label + ".");
          if (keepFocus) card.focus();
        })
        .catch(function () {
          say("Not moved: the server could not be reached. Try again.");
        })
        .finally(function () {
          card.removeAttribute("aria-busy");
        });
    }

    // The buttons: post with fetch instead of reloading the page.
    board.addEventListener("submit", function (event) {
      var form = event.target.closest("form[data-move]");
      if (!form) return;
      event.preventDefault();
      var button = event.submitter;
      var card = form.closest("[data-task]");
      if (button && card) move(card, button.value, true);
    });

    // The keyboard: → and ← move the focused card to the next or previous column.
    board.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
      var card = event.target;
      if (!card.matches || !card.matches("[data-movable]")) return;
      var index = order.indexOf(card.getAttribute("data-status"));
      var next = order[index + (event.key === "ArrowRight" ? 1 : -1)];
      event.preventDefault();
      if (next) move(card, next, true);
    });

    // Drag and drop.
    var dragged = null;
    board.addEventListener("dragstart", function (event) {
      var card = event.target.closest && event.target.closest("[data-movable]");
      if (!card) return;
      dragged = card;
      card.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.getAttribute("data-task"));
    });
    board.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("is-dragging");
      dragged = null;
      board.querySelectorAll(".is-over").forEach(function (el) { el.classList.remove("is-over"); });
    });
    columns.forEach(function (list) {
      var column = list.closest("[data-column]");
      column.addEventListener("dragover", function (event) {
        if (!dragged) return;
        event.preventDefault();
        column.classList.add("is-over");
      });
      column.addEventListener("dragleave", function (event) {
        if (!column.contains(event.relatedTarget)) column.classList.remove("is-over");
      });
      column.addEventListener("drop", function (event) {
        event.preventDefault();
        column.classList.remove("is-over");
        if (dragged) move(dragged, list.getAttribute("data-drop"), false);
      });
    });
  });
})();
