// Starts Swagger UI for /docs. A file, not an inline script: the server's
// Content-Security-Policy allows no inline script anywhere.
"use strict";
if (window.SwaggerUIBundle) {
  window.ui = window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });
}
