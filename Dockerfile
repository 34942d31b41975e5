# syntax=docker/dockerfile:1
# One image for the web server (default command), the Celery worker and Celery beat; see
# docker-compose.yml for how each is started. Configuration comes from the environment only
# (.env.example lists every variable); nothing secret is baked in.
FROM python:3.12-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONPATH=/app \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# WeasyPrint's system libraries (Pango, HarfBuzz, ...) and one font family for the PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        libcairo2 libgdk-pixbuf-2.0-0 shared-mime-info fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 smeqa \
    && useradd --system --uid 10001 --gid smeqa --create-home --home-dir /home/smeqa \
        --shell /usr/sbin/nologin smeqa

# Dependencies first, so this layer is rebuilt only when pyproject.toml changes. The project
# itself installs no packages ([tool.setuptools] packages = []): this installs the dependencies,
# and the code runs from /app (PYTHONPATH above).
COPY pyproject.toml /tmp/build/
RUN pip install --no-cache-dir /tmp/build && rm -rf /tmp/build

WORKDIR /app
# The code stays owned by root: the app user can read it but not change it.
COPY . .

# Hashed, compressed static files for WhiteNoise. Settings refuse to load without a SECRET_KEY
# when DEBUG is false, so this one command gets a throwaway key; it never reaches the image's
# environment. /app/media is the only directory the app writes to (a volume in compose).
RUN SECRET_KEY=build-only DEBUG=false ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown smeqa:smeqa /app/media

USER smeqa
EXPOSE 8000

# Django answers only to ALLOWED_HOSTS, so the probe sends the first of them as its Host header
# (a leading "." or "*" wildcard is dropped). /healthz is exempt from the HTTPS redirect and
# returns 503 when the database or the broker is down, which urlopen raises as an error.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; host = (os.environ.get('ALLOWED_HOSTS') or 'localhost').split(',')[0].strip().lstrip('*.') or 'localhost'; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': host}), timeout=4)"]

CMD ["gunicorn", "smeqa.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
