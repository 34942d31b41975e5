// Saves a form as its owner types, so nothing is lost on a reload or a dropped connection.
// The form works without this script: "Save draft" and "Submit" post it the ordinary way.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form) return;
  var status = document.getElementById(form.getAttribute("data-autosave-status"));
  var version = form.querySelector("input[name=version]");
  var timer = null;
  var saving = false;
  var pending = false;

  function say(text) {
    if (status) status.textContent = text;
  }

  function save() {
    if (saving) { pending = true; return; }
    saving = true;
    var data = new FormData(form);
    data.delete("submit");
    fetch(form.getAttribute("data-autosave-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
      .then(function (result) {
        var ok = result[0], body = result[1];
        if (ok && body.saved) {
          version.value = body.version;
          say("Draft saved at " + new Date(body.saved_at).toLocaleTimeString() + ".");
        } else {
          say(body.message || "Draft not saved. Use Save draft.");
        }
      })
      .catch(function () { say("Offline: draft not saved yet. Keep this page open or use Save draft."); })
      .finally(function () {
        saving = false;
        if (pending) { pending = false; save(); }
      });
  }

  form.addEventListener("submit", function () {
    clearTimeout(timer);
  });
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(save, 800);
  });
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(save, 200);
  });
})();
