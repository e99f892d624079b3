// What the scripts that send a form in the background share (the vote forms below, and sign-in-dialog.js, loaded
// after this one): the live region that reads their messages out, the sending, and the way back to sending a form
// as usual when anything goes wrong. Without fetch or DOMParser there is nothing to share, and they do nothing.
var formsInBackground = (function () {
  if (!window.fetch || !window.DOMParser) return null;
  var announcer = document.createElement("div");
  announcer.className = "visually-hidden";
  announcer.setAttribute("aria-live", "polite");
  document.body.appendChild(announcer);

  return {
    announce: function (text) {
      announcer.textContent = text;
    },

    // The form as the browser would send it, the pressed button's value included; the answer with its page parsed.
    send: function (form, submitter) {
      var data = new FormData(form);
      if (submitter && submitter.name) data.append(submitter.name, submitter.value);
      return fetch(form.action, {method: "POST", body: data, credentials: "same-origin"}).then(function (response) {
        return response.text().then(function (html) {
          return {response: response, page: new DOMParser().parseFromString(html, "text/html")};
        });
      });
    },

    // Sent by the browser, the pressed button's value included; the scripts' submit listeners let it go.
    sendAsUsual: function (form, submitter) {
      form.setAttribute("data-sent-as-usual", "");
      if (form.requestSubmit) form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      else HTMLFormElement.prototype.submit.call(form);
    },

    isSentAsUsual: function (form) {
      return form.hasAttribute("data-sent-as-usual");
    },
  };
})();

// A vote answers in place: the form is sent in the background and the part of the page it changed (the action's
// card or vote panel, the orientation's counter, the action's figures) is replaced by the same part of the page
// the server answers with, message included. The reader keeps their place and their focus; the message is also
// read out by screen readers. Without JavaScript, or if anything goes wrong, the form is sent as usual.
(function () {
  var shared = formsInBackground;
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
