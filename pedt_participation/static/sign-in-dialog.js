// A vote pressed by a visitor asks them to sign in without leaving the page: the vote's form is sent in the
// background (the server holds the vote and answers with the sign-in page), and that page's sign-in section opens in
// a dialog. Its form is sent in the background too: a refusal (wrong password, blocked account, too many tries)
// is shown in the dialog; once signed in, the server casts the held vote and answers with the page, whose content
// replaces this one's, the pressed button kept where the finger is. Escape or « Fermer » closes the dialog and drops
// the held vote; the focus goes back to the button. Every other link of the dialog (create an account, the host
// platform, a forgotten password) leads to its page as usual, the held vote kept. Without JavaScript, or if
// anything goes wrong, the forms are sent as usual: the sign-in page, then back to the page.
(function () {
  var shared = window.formsInBackground;
  if (!shared || !window.HTMLDialogElement) return;
  var dialog = null;
  var pressedId = null;
  var busy = false;

  function dialogElement() {
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.className = "sign-in-dialog";
    dialog.addEventListener("close", closed);
    dialog.addEventListener("click", function (event) {
      if (event.target.closest("[data-dialog-close]")) dialog.close();
    });
    document.body.appendChild(dialog);
    return dialog;
  }

  // The sign-in section of a page the server answered with, in the dialog: labelled by its heading, described by
  // the held vote it will cast.
  function showSignIn(section) {
    var fresh = document.importNode(section, true);
    dialog.replaceChildren(fresh);
    dialog.setAttribute("aria-labelledby", fresh.getAttribute("aria-labelledby"));
    if (fresh.querySelector("#vote-en-attente")) dialog.setAttribute("aria-describedby", "vote-en-attente");
    else dialog.removeAttribute("aria-describedby");
    fresh.querySelector("[data-dialog-close]").hidden = false;
  }

  // The refusal when there is one, else the first field.
  function whereToStart() {
    return dialog.querySelector(".error-summary") || dialog.querySelector("input:not([type=hidden])");
  }

  // An error page (too many tries, an expired form): its title and message above the form, which stays, in place
  // of the refusal of an earlier try.
  function showProblem(page) {
    Array.prototype.forEach.call(dialog.querySelectorAll(".error-summary"), function (old) {
      old.remove();
    });
    var problem = document.createElement("div");
    problem.className = "error-summary";
    problem.setAttribute("role", "alert");
    problem.tabIndex = -1;
    var title = document.createElement("h2");
    title.textContent = page.querySelector("main h1").textContent;
    var message = document.createElement("p");
    message.textContent = page.querySelector("main .lead").textContent;
    problem.append(title, message);
    var form = dialog.querySelector("[data-sign-in-form]");
    form.parentNode.insertBefore(problem, form);
    problem.focus();
  }

  // The page as the server now shows it to the signed-in person: the menu, the language switch (their forms carry
  // the new session's token) and the content. Scripts that enhance the content are told to do so again.
  function replaceContent(page) {
    ["#menu-principal .nav-list", ".language-switch", "main"].forEach(function (selector) {
      var old = document.querySelector(selector);
      var fresh = page.querySelector(selector);
      if (old && fresh) old.replaceWith(document.importNode(fresh, true));
    });
    var toggle = document.querySelector(".menu-toggle");
    var freshToggle = page.querySelector(".menu-toggle");
    if (toggle && freshToggle) toggle.replaceChildren.apply(toggle, Array.prototype.map.call(freshToggle.childNodes, function (node) {
      return document.importNode(node, true);
    }));
    document.dispatchEvent(new CustomEvent("content-replaced"));
  }

  function pressedButton() {
    return pressedId ? document.getElementById(pressedId) : null;
  }

  function signedIn(answer) {
    var landed = new URL(answer.response.url);
    if (landed.pathname + landed.search !== location.pathname + location.search) {
      location.assign(answer.response.url);
      return;
    }
    var before = pressedButton();
    var top = before ? before.getBoundingClientRect().top : null;
    replaceContent(answer.page);
    var after = pressedButton();
    if (after && top !== null) window.scrollBy(0, after.getBoundingClientRect().top - top);
    var said = Array.prototype.map.call(document.querySelectorAll("main .flash"), function (flash) {
      return flash.textContent.trim();
    });
    var held = document.querySelector("main .votes-held");
    if (!dialog.open || !held) {
      shared.announce(said.join(" "));
      dialog.replaceChildren();
      if (dialog.open) dialog.close();
      else if (after) after.focus();
      return;
    }
    // Signed in, but the account's votes do not count yet: said here, with what to do, until the person closes it.
    var close = dialog.querySelector("[data-dialog-close]");
    var body = document.createElement("div");
    body.tabIndex = -1;
    said.forEach(function (text, index) {
      var line = document.createElement("p");
      line.className = "flash flash-success";
      line.textContent = text;
      if (index === 0) line.id = "connexion-faite";
      body.appendChild(line);
    });
    body.appendChild(held.cloneNode(true));
    dialog.replaceChildren(close, body);
    dialog.setAttribute("aria-labelledby", "connexion-faite");
    dialog.removeAttribute("aria-describedby");
    body.focus();
  }

  function closed() {
    var forget = dialog.querySelector("form[data-forget-held-vote]");
    if (forget) fetch(forget.action, {method: "POST", body: new FormData(forget), credentials: "same-origin"});
    dialog.replaceChildren();
    var button = pressedButton();
    if (button) button.focus();
  }

  function askToSignIn(event, form) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    var pressed = event.submitter;
    pressedId = pressed && pressed.id ? pressed.id : null;
    shared.send(form, pressed)
      .then(function (answer) {
        var section = answer.page.querySelector("[data-sign-in]");
        if (!answer.response.ok) throw new Error(answer.response.status);
        // Signed in meanwhile (another tab): the vote was cast, the page answers with it.
        if (!section) return signedIn(answer);
        showSignIn(section);
        dialog.showModal();
        whereToStart().focus();
      })
      .catch(function () {
        shared.sendAsUsual(form, pressed);
      })
      .finally(function () {
        busy = false;
      });
  }

  function signIn(event, form) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    dialog.setAttribute("aria-busy", "true");
    var answered = false;
    shared.send(form, event.submitter)
      .then(function (answer) {
        answered = true;
        var section = answer.page.querySelector("[data-sign-in]");
        if (section) {
          showSignIn(section);
          whereToStart().focus();
        } else if (!answer.response.ok) {
          showProblem(answer.page);
        } else {
          signedIn(answer);
        }
      })
      .catch(function () {
        // Once the server has answered, the person may be signed in (and the form's token spent): the page shows it.
        if (answered) location.reload();
        else shared.sendAsUsual(form);
      })
      .finally(function () {
        busy = false;
        dialog.removeAttribute("aria-busy");
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (shared.isSentAsUsual(form)) return;
    // Without the pressed button (an old browser), its value would be lost: the form is sent as usual.
    if (form.matches("form[data-sign-in-first]") && event.submitter) {
      dialogElement();
      askToSignIn(event, form);
    } else if (dialog && dialog.contains(form) && form.matches("[data-forget-held-vote]")) {
      event.preventDefault();
      dialog.close();
    } else if (dialog && dialog.contains(form) && form.matches("[data-sign-in-form]")) {
      signIn(event, form);
    }
  });
})();
