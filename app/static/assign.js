// The course assignment form: show only the fields of the chosen way (a role at an area node, a hire
// year, a list of people). Without this script every field shows, each with a hint saying when it counts.
(function () {
  var form = document.getElementById("assign-form");
  if (!form) { return; }
  var parts = form.querySelectorAll("[data-targets]");
  function update() {
    var checked = form.querySelector("input[name=target]:checked");
    var target = checked ? checked.value : "area";
    parts.forEach(function (part) {
      part.hidden = part.getAttribute("data-targets").split(" ").indexOf(target) < 0;
    });
  }
  form.querySelectorAll("input[name=target]").forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
}());
