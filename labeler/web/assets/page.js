// The review page. Loaded before textual.js (which opens the session's WebSocket):
// - shows the reason the server gave when it closed the session (another tab took over,
//   access revoked, server full) instead of a bare "Session ended";
// - wires the "Open again" button (the page's policy allows no inline script).
(function () {
  "use strict";
  var Native = window.WebSocket;
  function LabelerSocket(url, protocols) {
    var socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    socket.addEventListener("close", function (event) {
      var box = document.getElementById("closed-message");
      if (box && event.reason) {
        box.textContent = event.reason;
      }
    });
    return socket;
  }
  LabelerSocket.prototype = Native.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (name) {
    LabelerSocket[name] = Native[name];
  });
  window.WebSocket = LabelerSocket;
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("restart");
    if (button) {
      button.addEventListener("click", function () {
        window.location.reload();
      });
    }
  });
})();
