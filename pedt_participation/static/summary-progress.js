// Follows the build without reloading the page; without JavaScript, the "Actualiser" link does it.
(function () {
  var box = document.getElementById("summary-progress");
  var bar = document.getElementById("summary-progress-bar");
  if (!bar) return;
  var text = document.getElementById("summary-status-text");
  function poll() {
    fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.status === "done" || state.status === "failed") { window.location.reload(); return; }
        bar.value = state.progress;
        text.textContent = state.label + " — " + state.progress + " %";
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1500);
})();
