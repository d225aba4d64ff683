// Tables on phones: below 700 px each row of a data table shows as a card, every cell labelled with
// its column's header (CSS in app.css, table.cards). Matrices (heatmap, completion grid) keep their
// grid and scroll sideways instead.
(function () {
  var SKIP = ["matrix", "heatmap", "completion"];
  function label(table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) { return; }
    for (var s = 0; s < SKIP.length; s++) {
      if (table.classList.contains(SKIP[s])) { return; }
    }
    var names = [];
    for (var c = 0; c < head.cells.length; c++) {
      var span = head.cells[c].colSpan || 1;
      for (var k = 0; k < span; k++) { names.push(head.cells[c].textContent.trim()); }
    }
    for (var b = 0; b < table.tBodies.length; b++) {
      var rows = table.tBodies[b].rows;
      for (var r = 0; r < rows.length; r++) {
        var col = 0;
        for (var i = 0; i < rows[r].cells.length; i++) {
          var cell = rows[r].cells[i];
          if (names[col] && !cell.hasAttribute("data-label") && (cell.colSpan || 1) === 1) {
            cell.setAttribute("data-label", names[col]);
          }
          col += cell.colSpan || 1;
        }
      }
    }
    table.classList.add("cards");
  }
  function run() {
    var tables = document.querySelectorAll("table");
    for (var t = 0; t < tables.length; t++) { label(tables[t]); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", run); } else { run(); }
})();
