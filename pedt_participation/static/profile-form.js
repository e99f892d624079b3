// The under-15 questions concern only "11 à 14 ans": shown once that age is chosen, hidden otherwise, unless they
// hold an error to correct. Without JavaScript every question stays on the page.
(function () {
  var block = document.getElementById("moins-de-15-ans");
  if (!block) return;
  var age = document.getElementById(block.dataset.ageField);
  if (!age) return;
  function update() {
    block.hidden = age.value !== block.dataset.age && !block.querySelector(".has-error");
  }
  age.addEventListener("change", update);
  update();
})();
