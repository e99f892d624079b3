// « Écouter » reads an action aloud with the browser's own speech synthesis (nothing leaves the device), each part
// in its own language (the nearest `lang`). The button is shown only where the browser can speak, again when the
// page's content is replaced in place (after signing in); pressed again, it stops.
(function () {
  if (!("speechSynthesis" in window) || !window.SpeechSynthesisUtterance) return;
  function offer() {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-listen]"), function (button) {
      button.hidden = false;
    });
  }
  offer();
  document.addEventListener("content-replaced", offer);
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-listen]");
    if (!button) return;
    function stopped() {
      button.setAttribute("aria-pressed", "false");
    }
    var speaking = button.getAttribute("aria-pressed") === "true";
    window.speechSynthesis.cancel();
    if (speaking) return stopped();
    var parts = button.getAttribute("data-listen").split(" ").map(function (id) {
      return document.getElementById(id);
    }).filter(Boolean);
    parts.forEach(function (part, index) {
      var utterance = new SpeechSynthesisUtterance(part.textContent.replace(/\s+/g, " ").trim());
      var language = part.closest("[lang]");
      utterance.lang = language ? language.getAttribute("lang") : document.documentElement.lang;
      if (index === parts.length - 1) utterance.onend = utterance.onerror = stopped;
      window.speechSynthesis.speak(utterance);
    });
    button.setAttribute("aria-pressed", "true");
  });
})();
