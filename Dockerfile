# One image for the web process, the Celery worker and Celery beat (docker-compose.yml picks the command).

# The front-end files from npm (Chart.js for the admin home), as `make static-vendor` copies them.
FROM node:20-bookworm-slim AS static-vendor
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/vendor_static.sh ./scripts/
RUN sh scripts/vendor_static.sh

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system ogpgy && useradd --system --gid ogpgy --home-dir /app --shell /usr/sbin/nologin ogpgy

WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY apps ./apps
# The broker transport must import: kombu's Redis transport needs packaging, which comes with celery[redis].
RUN pip install . && python -c "import kombu.transport.redis"

COPY manage.py ./
COPY templates ./templates
COPY static ./static
COPY --from=static-vendor /app/static/vendor ./static/vendor
COPY fixtures ./fixtures

# collectstatic needs settings that import cleanly; these build-time values are never used at run time.
RUN DEBUG=0 SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build OGPGY_READ_DOT_ENV=0 \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media && chown -R ogpgy:ogpgy /app/var

USER ogpgy
EXPOSE 8000

# Web by default; the worker and beat override the command (see docker-compose.yml).
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "2", \
     "--timeout", "60", "--access-logfile", "-"]
