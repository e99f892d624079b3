// On a phone the site's menu folds behind one « Menu » button, so the page starts near the top of the screen.
// Without JavaScript the button stays hidden and the menu open.
(function () {
  var button = document.querySelector(".menu-toggle");
  if (!button) return;
  var menu = document.getElementById(button.getAttribute("aria-controls"));
  button.closest(".header-inner").classList.add("folds");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  });
})();
