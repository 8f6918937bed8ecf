# The service on the embedded defaults (SQLite in /data); set DATABASE_URL for PostgreSQL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY service ./service
COPY solver ./solver
COPY geo ./geo
COPY migrations ./migrations
COPY alembic.ini ./
COPY sample_routes ./sample_routes
RUN pip install -e .

RUN useradd --create-home routeplan && mkdir /data && chown routeplan /data
USER routeplan
# The tour search is compiled by numba on first import: once here, into a cache the service's user owns.
ENV NUMBA_CACHE_DIR=/home/routeplan/numba-cache
RUN python -c "import solver.routing.single_route"
# The visit card's Chinese font: the Regular instance of the package's variable font, made once here.
ENV ROUTEPLAN_CACHE_DIR=/home/routeplan/cache
RUN python -c "from service.day_list import card_font; card_font.regular_font()"
ENV DATABASE_URL=sqlite:////data/routeplan.db
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["routeplan", "serve", "--host", "0.0.0.0", "--port", "8000"]
