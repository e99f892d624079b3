// Starts Swagger UI on the API documentation page (a file, not an inline script: the CSP allows no inline script).
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({url: root.dataset.specUrl, dom_id: "#swagger-ui"});
});
