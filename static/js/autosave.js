// Saves a form as its owner types, so nothing is lost on a reload or a dropped connection.
// The form works without this script: "Save draft" and "Submit" post it the ordinary way.
// With data-autosave-changed on the form, only the fields changed since the last save are sent, so
// two tabs (or an autosave racing a click) each keep what the other typed; the server merges fields.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form) return;
  var status = document.getElementById(form.getAttribute("data-autosave-status"));
  var version = form.querySelector("input[name=version]");
  var timer = null;
  var saving = false;
  var pending = false;
  var changedOnly = form.hasAttribute("data-autosave-changed");
  var dirty = {};

  function say(text) {
    if (status) status.textContent = text;
  }

  function save() {
    if (saving) { pending = true; return; }
    saving = true;
    var data = new FormData(form);
    data.delete("submit");
    var sent = {};
    if (changedOnly) {
      var all = data;
      data = new FormData();
      all.forEach(function (value, name) {
        if (dirty[name] || name === "version" || name === "csrfmiddlewaretoken") data.append(name, value);
      });
      Object.keys(dirty).forEach(function (name) { sent[name] = dirty[name]; });
    }
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
          // Forget what was saved unless it changed again while saving.
          Object.keys(sent).forEach(function (name) { if (dirty[name] === sent[name]) delete dirty[name]; });
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
  var generation = 0;
  function mark(event) {
    if (event.target && event.target.name) dirty[event.target.name] = ++generation;
  }
  form.addEventListener("input", function (event) {
    mark(event);
    clearTimeout(timer);
    timer = setTimeout(save, 800);
  });
  form.addEventListener("change", function (event) {
    mark(event);
    clearTimeout(timer);
    timer = setTimeout(save, 200);
  });
})();
