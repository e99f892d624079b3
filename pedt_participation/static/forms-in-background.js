// What the scripts that send a form in the background share (vote-forms.js, sign-in-dialog.js, loaded after this
// one): the live region that reads their messages out, the sending, and the way back to sending a form as usual
// when anything goes wrong. Without fetch or DOMParser there is nothing to share, and those scripts do nothing.
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
