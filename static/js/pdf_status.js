// Asks every few seconds whether the certificate PDF is ready, then offers the download. Without this
// script the page says the PDF is being prepared and offers a refresh link.
(function () {
  "use strict";
  var note = document.getElementById("pdf-status");
  if (!note || note.getAttribute("data-pdf-state") !== "pending") return;
  var tries = 0;
  function check() {
    tries += 1;
    fetch(note.getAttribute("data-status-url"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (body.state === "ready" || body.state === "failed") {
          window.location.reload();
        } else if (tries < 60) {
          setTimeout(check, 2000);
        }
      })
      .catch(function () { if (tries < 60) setTimeout(check, 5000); });
  }
  setTimeout(check, 1500);
})();
