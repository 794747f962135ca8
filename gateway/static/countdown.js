// The hold countdown: turns "held until 20:37" into a ticking "6:42 left", and when the hold
// runs out says so and disables the purchase button. The server decides in any case: a
// purchase after expiry is refused with a clear message.
(function () {
  "use strict";
  var box = document.querySelector("[data-expires-at]");
  if (!box) { return; }
  var deadline = Date.parse(box.getAttribute("data-expires-at"));
  if (isNaN(deadline)) { return; }
  var out = box.querySelector(".countdown");
  var template = box.getAttribute("data-left");
  var expired = box.getAttribute("data-expired");
  var button = document.querySelector("[data-hold-submit]");
  var lastMinute = null;

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var minutes = Math.floor(left / 60);
    var seconds = left % 60;
    var text = template.replace("{time}", minutes + ":" + (seconds < 10 ? "0" : "") + seconds);
    if (left === 0) {
      out.textContent = expired;
      box.setAttribute("role", "alert");
      if (button) { button.disabled = true; }
      return;
    }
    out.textContent = text;
    // Screen readers hear the time once a minute, not every second.
    if (minutes !== lastMinute) {
      box.setAttribute("aria-live", "polite");
      lastMinute = minutes;
    } else {
      box.setAttribute("aria-live", "off");
    }
    setTimeout(tick, 1000);
  }
  tick();
})();
