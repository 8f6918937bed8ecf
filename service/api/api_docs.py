"""The API's reference pages, /docs (Swagger UI) and /redoc (ReDoc), served with their scripts from the package:
they work offline and load nothing from a CDN (FastAPI's defaults do)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from service.access import auth
from service.pages.render import render_template

# the viewers' own code only; both set styles at run time (Swagger UI's React, ReDoc's styled-components)
_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; frame-ancestors 'none'"
)


def install_api_docs(app: FastAPI) -> None:
    """Adds /docs and /redoc on `app` (created with docs_url=None and redoc_url=None)."""
    title = f"{app.title} API"

    def viewer_page(viewer: str) -> HTMLResponse:
        html = render_template("api_docs.html", title=title, viewer=viewer, openapi_url=app.openapi_url)
        return auth.page_response(HTMLResponse(html), _POLICY)

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return viewer_page("swagger")

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return viewer_page("redoc")
