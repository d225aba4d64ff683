// The reading countdown and the retry wait. Only a guide: the server refuses early answers itself.
(function () {
  var left = document.getElementById("reading-left");
  var button = document.getElementById("credit-button");
  if (left) {
    var end = Date.now() + parseInt(left.getAttribute("data-seconds"), 10) * 1000;
    if (button) { button.disabled = true; button.style.opacity = ".5"; }
    (function tick() {
      var seconds = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      if (seconds <= 0) {
        left.hidden = true;
        var done = document.getElementById("reading-done");
        if (done) { done.hidden = false; }
        if (button) { button.disabled = false; button.style.opacity = ""; }
        return;
      }
      left.textContent = left.getAttribute("data-template").replace("{n}", Math.ceil(seconds / 60));
      setTimeout(tick, 1000);
    })();
  }
  var retry = document.getElementById("retry");
  if (retry) {
    setTimeout(function () { window.location.reload(); }, parseInt(retry.getAttribute("data-seconds"), 10) * 1000 + 500);
  }
})();
