// Live leaderboard: reload the board every few seconds (the server decides what is shown, frozen or not).
(function () {
  var board = document.getElementById("board");
  if (!board) { return; }
  var seconds = parseInt(board.getAttribute("data-refresh"), 10) || 30;
  setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
