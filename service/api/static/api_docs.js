// /docs and /redoc: the vendored Swagger UI or ReDoc on the service's own OpenAPI document.
"use strict";
(function () {
  const root = document.getElementById("api-docs");
  const url = root.dataset.openapiUrl;
  if (root.dataset.viewer === "swagger") {
    // FastAPI's own settings for its /docs: deep links to operations, the standalone layout without a top bar
    window.SwaggerUIBundle({
      url,
      domNode: root,
      layout: "BaseLayout",
      deepLinking: true,
      showExtensions: true,
      showCommonExtensions: true,
      presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
    });
  } else {
    window.Redoc.init(url, { hideDownloadButton: false }, root);
  }
})();
