"""The FastAPI application: `create_app()` wires the database, the error handler and the routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from service.access import auth
from service.access import log_redaction as access_log
from service.api import (
    audit,
    change_sets,
    days,
    exports,
    health,
    jobs,
    offices,
    outlet_import,
    outlets,
    plans,
    reps,
    ride_along,
    supervisors,
    territories,
    tokens,
    visits,
)
from service.api.api_docs import install_api_docs
from service.api.openapi_errors import document_errors
from service.api.tags import api_tags
from service.core import db
from service.core.errors import install_error_handler
from service.core.request_limits import RequestSizeLimit
from service.day_list import fast_path as day_list_fast_path
from service.jobs.limits import JobLimits
from service.jobs.runner import JobRunner
from service.pages import render as pages
from service.pages import sign_in as sign_in_pages


def create_app(database_url: str | None = None) -> FastAPI:
    """The service on `database_url` (else DATABASE_URL, else the SQLite file); migrates the schema at startup."""
    url = db.database_url(database_url)
    engine = db.make_engine(url)
    runner = JobRunner(engine)  # plans as jobs on Dask (local cluster, or ROUTEPLAN_DASK_SCHEDULER)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        db.migrate(url)
        runner.start()  # picks up the jobs a stopped or crashed process left queued or running
        yield
        runner.stop()  # hands unfinished jobs back to the queue
        engine.dispose()

    app = FastAPI(
        title="routeplan",
        summary="Journey plans for field sales teams: outlets, reps, cycle plans and the rep's day list",
        version="0.1.0",
        lifespan=lifespan,
        openapi_tags=api_tags(),
        docs_url=None,  # served by api_docs from the package's own copies of Swagger UI and ReDoc
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.jobs = runner
    app.state.job_limits = JobLimits.from_env()  # plan jobs an office and a token may hold at once
    app.state.principals = auth.PrincipalCache(engine)  # tokens looked up in the last few seconds
    # the map page carries the whole cycle as JSON so its filters redraw without asking again
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    app.add_middleware(RequestSizeLimit)  # 413 on bodies over ROUTEPLAN_MAX_BODY_BYTES / _UPLOAD_BYTES
    app.add_middleware(day_list_fast_path.DayListFastPath)  # last added: outermost, before FastAPI's routing
    install_error_handler(app)
    auth.refuse_unauthenticated_first(app)
    app.add_exception_handler(auth.PageLinkRedirect, auth.page_link_redirect)
    access_log.install()
    install_api_docs(app)
    document_errors(app)  # 400/401/403/404/409/413/422/503 in the OpenAPI of every route
    app.include_router(health.router)
    app.include_router(offices.router)
    app.include_router(supervisors.router)
    app.include_router(reps.router)
    app.include_router(outlet_import.router)
    app.include_router(outlets.router)
    app.include_router(plans.router)
    app.include_router(jobs.router)
    app.include_router(days.router)
    app.include_router(visits.router)
    app.include_router(ride_along.router)
    app.include_router(change_sets.router)
    app.include_router(territories.router)
    app.include_router(tokens.router)
    app.include_router(audit.router)
    app.include_router(exports.router)
    for feature_pages in pages.feature_page_modules():  # service/<feature>/pages.py
        app.include_router(feature_pages.router)
    app.include_router(sign_in_pages.router)
    app.include_router(pages.router)
    return app
