# Production image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

# WeasyPrint's libraries, the subsetter that keeps CJK PDFs fast (DESIGN.md §4),
# a CJK font, and gettext for compilemessages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
      fonts-wqy-microhei gettext curl postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY huashan ./huashan
RUN pip install .
COPY . .
RUN DEBUG=0 SECRET_KEY=build-only-not-secret-0123456789abcdefghijklmnop \
    python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 huashan && mkdir -p /app/media /app/.celery \
 && chown -R huashan /app/media /app/.celery
USER huashan

EXPOSE 8000
CMD ["gunicorn", "huashan.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--worker-class", "sync", "--access-logfile", "-"]
