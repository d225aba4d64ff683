// The projector's sign-in code: fetch the current code when the shown one changes (every 30 s) and
// show the count of people signed in. No inline script (CSP): the page gives the URL in data-code-url.
(function () {
  "use strict";
  var box = document.getElementById("projector");
  if (!box) { return; }
  var url = box.getAttribute("data-code-url");
  var img = document.getElementById("qr");
  var link = document.getElementById("code-link");
  var left = document.getElementById("seconds-left");
  var count = document.getElementById("signed-count");
  var remaining = parseFloat(left.textContent) || 30;
  var timer = null;

  function schedule(seconds) {
    clearTimeout(timer);
    timer = setTimeout(refresh, Math.max(0.5, seconds) * 1000 + 200);
  }

  function refresh() {
    fetch(url, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (code) {
        img.src = code.svg;
        link.href = code.url;
        link.textContent = code.url;
        count.textContent = code.count;
        remaining = code.seconds_left;
        schedule(code.seconds_left);
      })
      .catch(function () { schedule(5); });
  }

  setInterval(function () {
    remaining = Math.max(0, remaining - 1);
    left.textContent = Math.round(remaining);
  }, 1000);
  schedule(remaining);
  // the signed-in count between code changes
  setInterval(function () { if (remaining > 6) { refresh(); } }, 10000);
})();
