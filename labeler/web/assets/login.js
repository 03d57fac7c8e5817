// The login page: the secret travels in the link's #fragment, which browsers never send to a
// server (so it is in no access log and no Referer). Moved into the form, then out of the
// address bar. Nothing is submitted until the person presses the button: link previewers
// that fetch a URL do not spend the one-time link.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var params = new URLSearchParams(window.location.hash.slice(1));
    var token = params.get("token");
    var field = document.getElementById("token");
    var button = document.getElementById("go");
    var note = document.getElementById("note");
    if (token && field) {
      field.value = token;
      history.replaceState(null, "", window.location.pathname);
    } else if (button && note) {
      button.disabled = true;
      note.textContent = "This page needs the whole login link (with the part after #).";
    }
  });
})();
