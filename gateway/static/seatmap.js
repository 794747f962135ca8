// The live seat map: subscribes to the showtime over the WebSocket (/ws, protocol v1,
// anonymous: seat maps are public) and marks seats that others hold, buy or free, without a
// reload. Without this script the page still works: the form posts the chosen seats and the
// server answers "seat just taken" if needed.
(function () {
  "use strict";
  var map = document.querySelector("[data-seatmap]");
  if (!map || !window.WebSocket) { return; }
  var showtime = map.getAttribute("data-showtime");
  var statusBox = document.getElementById("live-status");
  var words = {
    free: map.getAttribute("data-word-free"),
    held: map.getAttribute("data-word-held"),
    sold: map.getAttribute("data-word-sold"),
    blocked: map.getAttribute("data-word-blocked")
  };
  var byIndex = Array.prototype.slice.call(map.querySelectorAll("input[data-label]"));
  var byLabel = {};
  byIndex.forEach(function (input) { byLabel[input.getAttribute("data-label")] = input; });
  var codes = { ".": "free", "h": "held", "s": "sold", "b": "blocked" };
  var lastSeq = null;
  var retry = 1000;

  function setStatus(input, status) {
    var seat = input.parentNode;
    seat.classList.remove("free", "held", "sold", "blocked");
    seat.classList.add(status);
    var unavailable = status !== "free";
    if (unavailable && input.checked) {
      input.checked = false;
      announce(map.getAttribute("data-word-taken").replace("{seat}", input.getAttribute("data-label")));
    }
    input.disabled = unavailable;
    if (unavailable && input.tabIndex === 0) { resetRoving(); }
    var label = input.getAttribute("aria-label") || "";
    var base = label.substring(0, label.lastIndexOf(", "));
    if (base) { input.setAttribute("aria-label", base + ", " + words[status]); }
  }

  function announce(text) {
    if (statusBox) { statusBox.textContent = text; }
  }

  function onMessage(event) {
    var msg;
    try { msg = JSON.parse(event.data); } catch (e) { return; }
    if (msg.type === "snapshot" && msg.showtime_id === showtime && typeof msg.seats === "string") {
      for (var i = 0; i < msg.seats.length && i < byIndex.length; i++) {
        setStatus(byIndex[i], codes[msg.seats.charAt(i)] || "blocked");
      }
      lastSeq = msg.seq;
      announce(map.getAttribute("data-word-live"));
    } else if (msg.type === "change" && msg.showtime_id === showtime) {
      applyChange(msg);
    } else if (msg.type === "changes" && msg.showtime_id === showtime) {
      // Several consecutive changes in one message (we subscribe with coalesce), in order.
      (msg.changes || []).forEach(applyChange);
    }
  }

  function applyChange(change) {
    if (lastSeq !== null && change.seq <= lastSeq) { return; }
    (change.seats || []).forEach(function (seat) {
      var input = byLabel[seat.label];
      if (input) { setStatus(input, seat.status); }
    });
    lastSeq = change.seq;
  }

  // Arrow keys move between seats (one seat is in the Tab order, the "roving" one), so a
  // keyboard user crosses a 400-seat room in a few presses instead of hundreds of Tabs.
  function seatsEnabled() { return byIndex.filter(function (i) { return !i.disabled; }); }
  function rove(target) {
    byIndex.forEach(function (i) { i.tabIndex = -1; });
    if (target) { target.tabIndex = 0; }
  }
  function resetRoving() {
    var enabled = seatsEnabled();
    var current = byIndex.filter(function (i) { return i.tabIndex === 0 && !i.disabled; })[0];
    rove(current || enabled.filter(function (i) { return i.checked; })[0] || enabled[0]);
  }
  function nextSeat(from, dRow, dCol) {
    var row = +from.getAttribute("data-row"), col = +from.getAttribute("data-col");
    var best = null, bestScore = Infinity;
    seatsEnabled().forEach(function (i) {
      var r = +i.getAttribute("data-row"), c = +i.getAttribute("data-col");
      var along = dRow ? (r - row) * dRow : (c - col) * dCol;
      var across = dRow ? Math.abs(c - col) : Math.abs(r - row);
      if (along <= 0) { return; }
      var score = along * 1000 + across;
      if (dCol && across > 0) { return; }
      if (score < bestScore) { bestScore = score; best = i; }
    });
    return best;
  }
  var moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
  map.addEventListener("keydown", function (event) {
    var move = moves[event.key];
    if (!move || !event.target.hasAttribute("data-label")) { return; }
    var target = nextSeat(event.target, move[0], move[1]);
    event.preventDefault();
    if (target) { rove(target); target.focus(); }
  });
  map.addEventListener("focusin", function (event) {
    if (event.target.hasAttribute("data-label")) { rove(event.target); }
  });
  resetRoving();

  var socket = null;
  function send(obj) {
    if (socket && socket.readyState === 1) { socket.send(JSON.stringify(obj)); }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws");
    socket.onopen = function () {
      retry = 1000;
      var request = { v: 1, type: "subscribe", id: "page", showtime_id: showtime, coalesce: true };
      if (lastSeq !== null) { request.since = lastSeq; }
      send(request);
    };
    socket.onmessage = onMessage;
    socket.onclose = function () {
      announce(map.getAttribute("data-word-offline"));
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }
  connect();
})();
