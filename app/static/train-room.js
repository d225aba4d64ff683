// A classroom drill, on the projector and on the phones: ask the server every 2 s where the room stands;
// reload when it moved on (or ended); on the projector, show the counts of each choice as they come in.
(function () {
  "use strict";
  var box = document.getElementById("room");
  if (!box) { return; }
  var url = box.getAttribute("data-state-url");
  var step = box.getAttribute("data-step");
  var status = box.getAttribute("data-status");
  if (status !== "open") { return; }

  function poll() {
    fetch(url, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (state) {
        if (String(state.step) !== step || state.status !== status) {
          window.location.reload();
          return;
        }
        if (state.counts) {
          Object.keys(state.counts).forEach(function (token) {
            var cell = document.getElementById("count-" + token);
            if (cell) { cell.textContent = state.counts[token]; }
          });
        }
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
