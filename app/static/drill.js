// Countdown for a timed drill decision. The server is the referee: when the count reaches zero the
// page asks the server to apply the timeout, and a late choice is treated as a timeout anyway.
(function () {
  var box = document.getElementById("countdown");
  if (!box) { return; }
  var left = parseInt(box.getAttribute("data-seconds"), 10);
  var shown = document.getElementById("seconds");
  var form = document.getElementById("timeout-form");
  var deadline = Date.now() + left * 1000;
  function tick() {
    var remaining = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    shown.textContent = remaining;
    if (remaining <= 10) { box.classList.add("urgent"); }
    if (remaining <= 0) { form.submit(); return; }
    setTimeout(tick, 250);
  }
  tick();
})();
