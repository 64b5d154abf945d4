# Tongzhou web / worker / beat image. Build: docker build -t tongzhou .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DEBUG=false STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/data/private_media

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build-only python manage.py compile_translations \
 && SECRET_KEY=build-only python manage.py collectstatic --noinput \
 && useradd --create-home tongzhou && mkdir -p /data/private_media && chown -R tongzhou /data
USER tongzhou
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
