// Quiz page: save each answer as soon as it changes, show a countdown, submit at the deadline.
// The server is the referee: it stores answers, refuses them after the deadline and submits then.
// Options are posted as the opaque tokens the page was given. Each question carries a sequence
// number (hidden input .seq, the number of its next change): every save sends it and counts it up,
// and the server keeps the answer of the highest number it has seen, so a late or replayed older
// save never overwrites a newer one. When the server says a save was older (another window saved
// since), the question shows what is stored.
(function () {
  var form = document.getElementById("quiz-form");
  if (!form) { return; }
  var script = document.currentScript;
  var saveUrl = form.getAttribute("data-save-url");
  var token = form.querySelector("input[name=csrf_token]").value;
  var sent = {};

  function show(fieldset, answer) {
    var picked = [].concat(answer === null || answer === undefined ? [] : answer);
    fieldset.querySelectorAll("input").forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") { input.checked = picked.indexOf(input.value) >= 0; }
      else if (input.type === "text") { input.value = typeof answer === "string" ? answer : ""; }
    });
    mark();
  }

  function save(fieldset) {
    var id = fieldset.getAttribute("data-answer-id");
    var counter = fieldset.querySelector("input.seq");
    var seq = parseInt(counter.value, 10);
    var body = new URLSearchParams();
    body.append("csrf_token", token);
    body.append("answer_id", id);
    fieldset.querySelectorAll("input").forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { return; }
      body.append(input.name, input.value);
    });
    counter.value = seq + 1;
    sent[id] = seq;
    var state = fieldset.querySelector(".save-state");
    fetch(saveUrl, {method: "POST", body: body, credentials: "same-origin",
                    headers: {"X-CSRFToken": token}})
      .then(function (response) { return response.json().then(function (data) { return [response, data]; }); })
      .then(function (pair) {
        var data = pair[1];
        if (pair[0].ok) {
          if (data.stale && sent[id] === seq) {  // our latest save was older than the stored answer
            show(fieldset, data.answer);
            counter.value = Math.max(parseInt(counter.value, 10), data.seq + 1);
          }
          state.textContent = script.getAttribute("data-saved");
          return;
        }
        state.textContent = script.getAttribute("data-failed") + data.error;
        if (data.submitted) { window.location.reload(); }
      })
      .catch(function () { state.textContent = script.getAttribute("data-failed"); });
  }
  // The answer sheet (答题卡): one box per question, marked answered as soon as the page holds an
  // answer (a ticked option or a non-blank text), with the count above it; a box links to its question.
  function isAnswered(fieldset) {
    return [].some.call(fieldset.querySelectorAll("input"), function (input) {
      if (input.type === "radio" || input.type === "checkbox") { return input.checked; }
      return input.type === "text" && input.value.trim() !== "";
    });
  }
  var fieldsets = form.querySelectorAll("fieldset.question");
  var counter = document.getElementById("answered-count");
  function mark() {
    var done = 0;
    fieldsets.forEach(function (fieldset) {
      var answered = isAnswered(fieldset);
      done += answered ? 1 : 0;
      var box = document.querySelector(".sheet-box[data-answer-id='" + fieldset.getAttribute("data-answer-id") + "']");
      if (!box) { return; }
      box.classList.toggle("answered", answered);
      box.querySelector(".state").textContent = script.getAttribute(answered ? "data-answered" : "data-unanswered");
    });
    if (counter) {
      counter.textContent = counter.getAttribute("data-template").replace("{done}", done).replace("{total}", fieldsets.length);
    }
    return fieldsets.length - done;
  }
  var timers = {};
  fieldsets.forEach(function (fieldset) {
    var id = fieldset.getAttribute("data-answer-id");
    fieldset.addEventListener("change", function () { mark(); save(fieldset); });
    fieldset.addEventListener("input", function (event) {
      if (event.target.type !== "text") { return; }
      mark();
      clearTimeout(timers[id]);
      timers[id] = setTimeout(function () { save(fieldset); }, 600);
    });
  });
  // Submitting with blanks asks first, naming how many (the deadline's own submit does not ask).
  form.addEventListener("submit", function (event) {
    var blank = mark();
    if (blank > 0 && !window.confirm(script.getAttribute("data-confirm").replace("{n}", blank))) {
      event.preventDefault();
    }
  });

  var box = document.getElementById("countdown");
  if (!box) { return; }
  var clock = document.getElementById("clock");
  var deadline = Date.now() + parseInt(box.getAttribute("data-seconds"), 10) * 1000;
  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    clock.textContent = m + ":" + (s < 10 ? "0" : "") + s;
    if (left <= 60) { box.classList.add("urgent"); }
    if (left <= 0) { form.submit(); return; }
    setTimeout(tick, 500);
  }
  tick();
})();
