# One image for web, worker and beat (docker-compose.yml picks the command).
FROM node:20-bookworm-slim AS styles
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# WeasyPrint (the PDF reports) needs Pango; install it here so later releases need no new base.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY --from=styles /app/node_modules ./node_modules
COPY . .
RUN DEBUG=false SECRET_KEY=collectstatic-only DATABASE_URL=sqlite:///:memory: \
    python manage.py collectstatic --no-input \
    && useradd --system --uid 1000 cimolt \
    && mkdir -p /app/media && chown cimolt /app/media
USER cimolt
EXPOSE 8000
CMD ["gunicorn", "cimolt.wsgi", "--bind", "0.0.0.0:8000", "--workers", "6", "--access-logfile", "-"]
