// Playing a drill: one request per decision, and the countdown of a timed decision.
//
// A choice (or going back a step, or the countdown's timeout) is posted with fetch; the server answers
// with the next step's HTML, which replaces the step in this page, or with where to go (the debrief
// when the drill ended, the play page after a refused or stale move). The page's address stays the
// play page's, so a reload shows where the drill stands and never posts a choice again. Without
// JavaScript the forms post as usual and the server redirects; when a fetch fails the page reloads
// the play page (a step the server took is kept).
//
// The server is the referee: when the count reaches zero the page asks the server to apply the
// timeout, and a late choice is treated as a timeout anyway.
(function () {
  var root = document.getElementById("drill-step");
  if (!root) { return; }
  var enhanced = !!(window.fetch && window.FormData);
  var timer = null;
  var busy = false;

  function startCountdown() {
    if (timer) { clearTimeout(timer); timer = null; }
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
      if (remaining <= 0) {
        timer = null;
        if (enhanced) { send(form, null); } else { form.submit(); }
        return;
      }
      timer = setTimeout(tick, 250);
    }
    tick();
  }

  function setDisabled(disabled) {
    var buttons = root.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = disabled; }
    root.setAttribute("aria-busy", disabled ? "true" : "false");
  }

  function show(reply) {
    if (reply.location) { window.location.assign(reply.location); return; }
    root.innerHTML = reply.html;
    busy = false;
    root.setAttribute("aria-busy", "false");
    window.scrollTo(0, 0);
    var situation = document.getElementById("situation");
    if (situation) { situation.focus({preventScroll: true}); }
    startCountdown();
  }

  function send(form, button) {
    if (busy) { return; }
    busy = true;
    if (timer) { clearTimeout(timer); timer = null; }
    var data = new FormData(form);
    if (button && button.name) { data.append(button.name, button.value); }
    setDisabled(true);
    fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"X-Requested-With": "fetch", "Accept": "application/json"}
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(show, function () {
      // The answer did not arrive: show where the drill stands now (a step the server took is kept).
      window.location.assign(root.getAttribute("data-page"));
    });
  }

  var clicked = null;  // the button that submitted, where the browser has no event.submitter
  root.addEventListener("click", function (event) {
    clicked = event.target.closest ? event.target.closest("button") : null;
  });
  root.addEventListener("submit", function (event) {
    if (!enhanced) { return; }  // the plain post: the server redirects
    event.preventDefault();
    send(event.target, event.submitter || clicked);
    clicked = null;
  });
  startCountdown();
})();
