"""What every page stands on: its language, its template, its security headers and the static files.

A feature's pages live in the feature (service/<feature>/pages.py), with their templates in
service/<feature>/templates/ and their scripts in service/<feature>/static/; the shared frame (base.html, the
style sheet, the vendored Leaflet) lives here. Every page takes `lang` (zh-CN or en), else follows the browser's
Accept-Language. Every page but the static files needs a token: a Bearer header, a link's `?token=` (exchanged
for a cookie by a redirect to the link without it) or that cookie (service/access/auth.py). Pages send a
Content-Security-Policy that runs no inline script or style."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.staticfiles import StaticFiles

from service.access import auth
from service.core.i18n import LANGUAGES, Translator, choose_language, messages
from service.pages.tiles import TileSource, tile_source

_SERVICE = Path(__file__).resolve().parent.parent
_HERE = _SERVICE / "pages"
# the shared frame first, then each feature's templates; a template's file name is unique across features
_templates = Environment(
    loader=ChoiceLoader([FileSystemLoader(d) for d in [_HERE / "templates", *sorted(_SERVICE.glob("*/templates"))]]),
    autoescape=select_autoescape(["html"]),
)
_templates.filters["hm"] = lambda seconds: f"{seconds // 3600}:{seconds % 3600 // 60:02d}"
_templates.filters["km"] = lambda metres: f"{metres / 1000:.1f}"
# /web/static/<file>: the shared files, then each feature's, as one folder
_static_packages: list[str | tuple[str, str]] = [("service.pages", "static")]
_static_packages += [
    (f"service.{d.parent.name}", "static") for d in sorted(_SERVICE.glob("*/static")) if d.parent != _HERE
]
_static = StaticFiles(packages=_static_packages)

router = APIRouter(tags=["pages"])


def page_translator(
    lang: Annotated[str | None, Query(description="zh-CN or en; default: the browser's language")] = None,
    accept_language: Annotated[
        str | None, Header(description="the browser's languages, used when `lang` is not given")
    ] = None,
) -> Translator:
    return Translator(choose_language(lang, accept_language))


TranslatorDep = Annotated[Translator, Depends(page_translator)]


def content_security_policy(tiles: TileSource | None) -> str:
    """Scripts, styles and images of the pages come from the service itself (the base map's tiles from their
    server): no inline script or style runs, whatever a stored name holds."""
    images = "'self' data:"
    if tiles is not None:
        parts = urlsplit(tiles.url.replace("{s}", "*"))
        images += f" {parts.scheme}://{parts.netloc}"
    return (
        f"default-src 'none'; script-src 'self'; style-src 'self'; img-src {images}; connect-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def render_template(template: str, **context: Any) -> str:
    """`template` (from the shared frame or any feature's templates) filled with `context`."""
    return _templates.get_template(template).render(**context)


def page(request: Request, template: str, t: Translator, **context: Any) -> HTMLResponse:
    """`template` rendered in the request's language, with the language switch and the page's headers."""
    html = render_template(
        template,
        t=t,
        lang=t.language,
        language_names={language: messages(language)["language_name"] for language in LANGUAGES},
        language_links=_language_links(request),
        **context,
    )
    return auth.page_response(
        HTMLResponse(html, headers={"Content-Language": t.language, "Vary": "Accept-Language"}),
        content_security_policy(tile_source()),
    )


def _language_links(request: Request) -> dict[str, str]:
    """This page's URL in each language (the other query parameters kept but a token: the cookie carries it)."""
    url = request.url.remove_query_params(auth.PAGE_TOKEN_PARAM)
    return {language: str(url.include_query_params(lang=language)) for language in LANGUAGES}


@router.get("/web/static/{path:path}", include_in_schema=False)
async def static_file(path: str, request: Request) -> Response:
    """The pages' scripts, styles and the vendored Leaflet, from the package (never a CDN)."""
    return await _static.get_response(path, request.scope)


def feature_page_modules() -> list[ModuleType]:
    """Every service/<feature>/pages.py, by feature name: each holds a `router` with that feature's pages."""
    found = sorted(p.parent.name for p in _SERVICE.glob("*/pages.py") if p.parent != _HERE)
    return [importlib.import_module(f"service.{name}.pages") for name in found]
