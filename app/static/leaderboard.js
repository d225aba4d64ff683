// Live leaderboard: reload the board every few seconds (the server decides what is shown, frozen or not).
// On the projector (#scroller), a list longer than the screen scrolls slowly to its end first, then reloads.
(function () {
  var board = document.getElementById("board");
  if (!board) { return; }
  var seconds = parseInt(board.getAttribute("data-refresh"), 10) || 30;
  var scroller = document.getElementById("scroller");
  var reloadAt = Date.now() + seconds * 1000;
  function reload() { window.location.reload(); }
  if (!scroller || scroller.scrollHeight <= scroller.clientHeight + 2) {
    setTimeout(reload, seconds * 1000);
    return;
  }
  var pause = 3000;          // ms at the top and at the bottom
  var step = 1;              // px per tick
  var started = Date.now();
  var timer = setInterval(function () {
    if (Date.now() - started < pause) { return; }
    var end = scroller.scrollHeight - scroller.clientHeight;
    if (scroller.scrollTop < end - 1) {
      scroller.scrollTop = scroller.scrollTop + step;
      return;
    }
    clearInterval(timer);
    setTimeout(reload, Math.max(pause, reloadAt - Date.now()));
  }, 40);
})();
