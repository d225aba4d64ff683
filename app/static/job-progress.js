// Background job progress: poll the JSON status endpoint named by #job-progress[data-status-url],
// move the <progress> bar and its text, and reload the page once the job has finished.
(function () {
  var box = document.getElementById("job-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-bar");
  var text = document.getElementById("job-text");
  var template = text ? text.textContent : "";
  var delay = 1000;

  var queued = document.getElementById("job-queued");

  function show(state) {
    var total = state.total || 0;
    if (queued) { queued.hidden = state.status !== "queued"; }
    if (bar) {
      bar.max = Math.max(total, 1);
      bar.value = state.done;
    }
    if (text) {
      var numbers = template.match(/\d+/g);
      var shown = template;
      if (numbers && numbers.length >= 2) {
        var i = 0;
        shown = template.replace(/\d+/g, function (n) {
          i += 1;
          return i === 1 ? String(state.done) : (i === 2 ? String(total) : n);
        });
      }
      text.textContent = shown;
    }
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (state.finished) {
          window.location.reload();
          return;
        }
        delay = 1000;
        setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);
        setTimeout(poll, delay);
      });
  }

  setTimeout(poll, 500);
})();
