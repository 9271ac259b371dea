// Review comments: click the picture to pin a comment to that point (drag to mark a region),
// or place a pin with the keyboard and move it with the arrow keys; comment a video or audio
// file at the player's current time. Comments are posted as JSON and appear with their numbered
// pin without reloading; without scripts the same forms post and the page comes back.
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var DRAG = 0.015; // a drag shorter than 1.5 % of the picture is a click

  function fraction(value) {
    return Math.min(1, Math.max(0, value));
  }

  function percent(value) {
    return (value * 100).toFixed(3) + "%";
  }

  function shown(value) {
    return Math.round(value * 100) + " %";
  }

  function timecode(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = (seconds - minutes * 60).toFixed(1);
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function csrf(form) {
    var field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function svgElement(name, attributes) {
    var element = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { element.setAttribute(key, attributes[key]); });
    return element;
  }

  function drawPin(group, pin, number) {
    while (group.firstChild) group.removeChild(group.firstChild);
    if (pin.width && pin.height) {
      group.appendChild(svgElement("rect", {
        "class": "pin-region", x: percent(pin.x), y: percent(pin.y),
        width: percent(pin.width), height: percent(pin.height)
      }));
    }
    group.appendChild(svgElement("circle", { "class": "pin-dot", cx: percent(pin.x), cy: percent(pin.y), r: "13" }));
    var label = svgElement("text", {
      "class": "pin-label", x: percent(pin.x), y: percent(pin.y), dy: "0.35em", "text-anchor": "middle"
    });
    label.textContent = number;
    group.appendChild(label);
  }

  function post(url, form, data) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf(form) }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        return { ok: false, body: { detail: "The comment was not saved (answer " + response.status + "). Reload the page and try again." } };
      }
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }, function () {
      return { ok: false, body: { detail: "The comment was not saved: the connection broke off. Try again." } };
    });
  }

  function setUp() {
    var main = document.querySelector("form[data-main-comment-form]");
    if (!main) return;
    var url = main.getAttribute("action");
    var list = document.querySelector("[data-comment-list]");
    var stage = document.querySelector("[data-stage][data-pinnable]");
    var pins = stage && stage.querySelector("[data-pins]");
    var image = stage && stage.querySelector("img");
    var player = document.querySelector("[data-player]");
    var status = main.querySelector("[data-pin-status]");
    var clear = main.querySelector("[data-clear-pin]");
    var pending = null; // {x, y, width, height}
    var marker = null;
    var popover = null;

    // --- posting comments (the main form, the popover and every reply form) -----------------

    function added(body) {
      var holder = document.createElement("template");
      holder.innerHTML = body.html.trim();
      var element = holder.content.firstElementChild;
      if (body.parent) {
        var parent = document.getElementById("comment-" + body.parent);
        var replies = parent && parent.querySelector("[data-replies]");
        if (replies) replies.appendChild(element);
        var box = parent && parent.querySelector("details.reply-box");
        if (box) box.open = false;
      } else if (list) {
        list.appendChild(element);
        var empty = document.querySelector("[data-no-comments]");
        if (empty) empty.hidden = true;
        var count = document.querySelector("[data-comment-count]");
        if (count) count.textContent = String(list.children.length);
      }
      if (body.pin && pins) {
        var link = svgElement("a", {
          href: "#comment-" + body.id, "class": "pin", "data-pin": String(body.id),
          "aria-label": "Comment " + body.number
        });
        drawPin(link, {
          x: parseFloat(body.pin.x) / 100, y: parseFloat(body.pin.y) / 100,
          width: body.pin.width ? parseFloat(body.pin.width) / 100 : 0,
          height: body.pin.height ? parseFloat(body.pin.height) / 100 : 0
        }, body.number);
        pins.appendChild(link);
      }
      return element;
    }

    function showError(form, message) {
      var slot = form.querySelector("[data-form-error]");
      if (slot) {
        slot.textContent = message;
        slot.hidden = !message;
      }
    }

    function submit(form, data) {
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      showError(form, "");
      return post(url, form, data).then(function (answer) {
        if (button) button.disabled = false;
        if (!answer.ok) {
          showError(form, answer.body.detail || "The comment was not saved.");
          return null;
        }
        return added(answer.body);
      });
    }

    document.addEventListener("submit", function (event) {
      var form = event.target.closest("form[data-comment-form]");
      if (!form || form === popover) return;
      event.preventDefault();
      var body = form.elements.body;
      if (!body.value.trim()) {
        showError(form, "Write the comment.");
        body.focus();
        return;
      }
      submit(form, new FormData(form)).then(function (element) {
        if (!element) return;
        form.reset();
        if (form === main) resetTime();
        element.scrollIntoView({ block: "nearest" });
      });
    });

    // --- video and audio: a comment at the player's current time ----------------------------

    function resetTime() {
      if (main.elements.time_seconds) main.elements.time_seconds.value = "";
      if (status) { status.hidden = true; status.textContent = ""; }
      if (clear) clear.hidden = true;
    }

    var atTime = main.querySelector("[data-comment-at-time]");
    if (atTime && player) {
      atTime.addEventListener("click", function () {
        player.pause();
        var seconds = player.currentTime || 0;
        main.elements.time_seconds.value = seconds.toFixed(3);
        status.textContent = "This comment is at " + timecode(seconds) + " of the " + (player.tagName === "VIDEO" ? "video" : "audio") + ".";
        status.hidden = false;
        clear.hidden = false;
        main.elements.body.focus();
      });
    }
    if (clear) clear.addEventListener("click", resetTime);
    document.addEventListener("click", function (event) {
      var seek = event.target.closest("[data-seek]");
      if (!seek || !player) return;
      player.currentTime = parseFloat(seek.getAttribute("data-seek")) || 0;
      var playing = player.play();
      if (playing && playing.catch) playing.catch(function () { /* the reviewer presses play */ });
    });

    // --- pins on the picture -------------------------------------------------------------------

    document.addEventListener("click", function (event) {
      var pin = event.target.closest && event.target.closest("[data-pin]");
      if (!pin) return;
      document.querySelectorAll(".comment.is-highlighted").forEach(function (c) { c.classList.remove("is-highlighted"); });
      var comment = document.getElementById("comment-" + pin.getAttribute("data-pin"));
      if (comment) comment.classList.add("is-highlighted");
    });

    if (!stage || !pins || !image) return;

    function point(event) {
      var box = image.getBoundingClientRect();
      return { x: fraction((event.clientX - box.left) / box.width), y: fraction((event.clientY - box.top) / box.height) };
    }

    function describe(pin) {
      if (pin.width && pin.height) {
        return "Region at " + shown(pin.x) + ", " + shown(pin.y) + " (" + shown(pin.width) + " × " + shown(pin.height) + ")";
      }
      return "Pin at " + shown(pin.x) + " across, " + shown(pin.y) + " down";
    }

    function showPending(pin) {
      pending = pin;
      if (!marker) {
        marker = svgElement("g", { "class": "pin pending", tabindex: "0", role: "button" });
        marker.addEventListener("keydown", nudge);
        pins.appendChild(marker);
      }
      drawPin(marker, pin, "+");
      marker.setAttribute("aria-label", describe(pin) + ". Move it with the arrow keys, press Enter to write the comment, Escape to cancel.");
    }

    function dropPending() {
      pending = null;
      if (marker) { marker.remove(); marker = null; }
      if (popover) { popover.remove(); popover = null; }
    }

    function nudge(event) {
      if (!pending) return;
      var step = event.shiftKey ? 0.1 : 0.01;
      var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (moves[event.key]) {
        event.preventDefault();
        showPending({ x: fraction(pending.x + moves[event.key][0]), y: fraction(pending.y + moves[event.key][1]), width: 0, height: 0 });
      } else if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        openPopover();
      } else if (event.key === "Escape") {
        event.preventDefault();
        dropPending();
        if (place) place.focus();
      }
    }

    function openPopover() {
      if (!pending) return;
      if (popover) popover.remove();
      popover = document.createElement("form");
      popover.className = "pin-popover";
      popover.setAttribute("aria-label", "Comment on this point");
      var label = document.createElement("label");
      label.setAttribute("for", "pin-comment");
      label.textContent = pending.width ? "Comment on this region" : "Comment on this point";
      var text = document.createElement("textarea");
      text.id = "pin-comment";
      text.name = "body";
      text.rows = 3;
      text.required = true;
      var where = document.createElement("p");
      where.className = "small muted";
      where.textContent = describe(pending);
      var error = document.createElement("p");
      error.className = "form-error";
      error.setAttribute("data-form-error", "");
      error.setAttribute("role", "alert");
      error.hidden = true;
      var actions = document.createElement("div");
      actions.className = "form-actions";
      var save = document.createElement("button");
      save.type = "submit";
      save.className = "button primary small";
      save.textContent = "Save comment";
      var cancel = document.createElement("button");
      cancel.type = "button";
      cancel.className = "button small";
      cancel.textContent = "Cancel";
      actions.appendChild(save);
      actions.appendChild(cancel);
      [label, text, where, error, actions].forEach(function (node) { popover.appendChild(node); });
      popover.style.left = (pending.x * 100) + "%";
      popover.style.top = "calc(" + ((pending.y + (pending.height || 0)) * 100) + "% + 16px)";
      if (pending.x > 0.5) popover.style.transform = "translateX(-100%)";
      stage.appendChild(popover);
      text.focus();

      cancel.addEventListener("click", function () { dropPending(); image.focus(); });
      popover.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { event.preventDefault(); dropPending(); }
      });
      popover.addEventListener("submit", function (event) {
        event.preventDefault();
        if (!text.value.trim()) {
          showError(popover, "Write the comment.");
          text.focus();
          return;
        }
        var data = new FormData();
        data.append("csrfmiddlewaretoken", csrf(main));
        data.append("action", "comment");
        data.append("body", text.value);
        data.append("x", pending.x.toFixed(5));
        data.append("y", pending.y.toFixed(5));
        if (pending.width && pending.height) {
          data.append("width", pending.width.toFixed(5));
          data.append("height", pending.height.toFixed(5));
        }
        if (stage.getAttribute("data-page")) data.append("page", stage.getAttribute("data-page"));
        var form = popover;
        submit(form, data).then(function (element) {
          if (!element) return;
          dropPending();
          element.scrollIntoView({ block: "nearest" });
        });
      });
    }

    // Click places a pin; a drag draws a region.
    var start = null;
    stage.addEventListener("pointerdown", function (event) {
      if (event.button !== 0 || event.target.closest(".pin-popover") || event.target.closest("[data-pin]")) return;
      event.preventDefault();
      start = point(event);
      stage.setPointerCapture(event.pointerId);
    });
    stage.addEventListener("pointermove", function (event) {
      if (!start) return;
      var now = point(event);
      if (Math.abs(now.x - start.x) > DRAG || Math.abs(now.y - start.y) > DRAG) {
        showPending({
          x: Math.min(start.x, now.x), y: Math.min(start.y, now.y),
          width: Math.abs(now.x - start.x), height: Math.abs(now.y - start.y)
        });
      }
    });
    stage.addEventListener("pointerup", function (event) {
      if (!start) return;
      var now = point(event);
      var region = Math.abs(now.x - start.x) > DRAG || Math.abs(now.y - start.y) > DRAG;
      showPending(region ? {
        x: Math.min(start.x, now.x), y: Math.min(start.y, now.y),
        width: Math.abs(now.x - start.x), height: Math.abs(now.y - start.y)
      } : { x: start.x, y: start.y, width: 0, height: 0 });
      start = null;
      openPopover();
    });
    stage.addEventListener("pointercancel", function () { start = null; });

    var place = main.querySelector("[data-place-pin]");
    if (place) {
      place.addEventListener("click", function () {
        if (popover) { popover.remove(); popover = null; }
        showPending({ x: 0.5, y: 0.5, width: 0, height: 0 });
        marker.focus();
      });
    }
    image.tabIndex = -1;
  }

  if (document.readyState !== "loading") setUp();
  else document.addEventListener("DOMContentLoaded", setUp);
})();
