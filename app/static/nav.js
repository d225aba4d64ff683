// Menu drop-downs on wide screens: opening one group closes the others; a click elsewhere or Escape
// closes them all.
(function () {
  function groups() { return document.querySelectorAll(".wide-nav details.nav-group"); }
  function closeAll(except) {
    var all = groups();
    for (var i = 0; i < all.length; i++) { if (all[i] !== except) { all[i].open = false; } }
  }
  document.addEventListener("click", function (event) {
    var inside = event.target.closest ? event.target.closest(".wide-nav details.nav-group") : null;
    closeAll(inside);
  });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") { closeAll(null); } });
})();
