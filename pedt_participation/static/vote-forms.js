// A vote answers in place: the form is sent in the background and the part of the page it changed (the action's
// card or vote panel, the orientation's counter, the action's figures) is replaced by the same part of the page
// the server answers with, message included. The reader keeps their place and their focus; the message is also
// read out by screen readers. Without JavaScript, or if anything goes wrong, the form is sent as usual.
(function () {
  var shared = window.formsInBackground;
  if (!shared || !Element.prototype.closest) return;

  function swapSameId(fresh, id) {
    var old = document.getElementById(id);
    if (old && fresh) old.replaceWith(document.importNode(fresh, true));
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-vote]") || shared.isSentAsUsual(form)) return;
    var place = form.closest("[data-vote-place]");
    if (!place || !place.id) return;
    event.preventDefault();
    var pressed = event.submitter;
    var buttons = Array.prototype.slice.call(place.querySelectorAll("button"));
    var pressedIndex = buttons.indexOf(pressed);
    var pressedTop = pressed ? pressed.getBoundingClientRect().top : null;
    place.setAttribute("aria-busy", "true");
    shared.send(form, pressed)
      .then(function (answer) {
        if (!answer.response.ok) throw new Error(answer.response.status);
        var page = answer.page;
        var freshPlace = page.getElementById(place.id);
        if (!freshPlace) throw new Error("no " + place.id);
        swapSameId(freshPlace, place.id);
        Array.prototype.forEach.call(page.querySelectorAll("[data-refresh][id]"), function (fresh) {
          swapSameId(fresh, fresh.id);
        });
        var placeNow = document.getElementById(place.id);
        // An earlier answer beside another action no longer holds (its counter may have changed): only the newest stays.
        Array.prototype.forEach.call(document.querySelectorAll(".flash-beside"), function (old) {
          if (!placeNow.contains(old)) old.remove();
        });
        var again = placeNow.querySelectorAll("button")[pressedIndex];
        if (again) {
          again.focus({preventScroll: true});
          // Figures above may have grown (a first bar drawn): the pressed button stays where the finger is.
          if (pressedTop !== null) window.scrollBy(0, again.getBoundingClientRect().top - pressedTop);
        }
        var message = placeNow.querySelector(".flash-beside");
        if (message) message.scrollIntoView({block: "nearest"});
        shared.announce(message ? message.textContent : "");
      })
      .catch(function () {
        place.removeAttribute("aria-busy");
        shared.sendAsUsual(form, pressed);
      });
  });
})();
