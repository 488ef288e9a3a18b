# Siyu: the web app (gunicorn) and the scheduler (`siyu worker`) run from this one image.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/siyu-metrics

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY handlers ./handlers
RUN pip install ".[deploy]"
COPY playbooks ./playbooks
COPY rules ./rules
COPY deploy ./deploy
RUN useradd --system --home-dir /app --shell /usr/sbin/nologin siyu
USER siyu

EXPOSE 8000
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "bot.app:create_app()"]
