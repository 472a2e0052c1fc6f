// Starts Swagger UI on /docs from the files vendored under /static/vendor (no CDN, and no
// inline script, which the Content-Security-Policy forbids).
"use strict";
(function () {
  var element = document.getElementById("swagger-ui");
  if (!element || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: element.getAttribute("data-spec"),
    domNode: element,
    deepLinking: true,
    // never send the spec to the public validator service
    validatorUrl: null,
  });
})();
