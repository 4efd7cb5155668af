FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY config ./config
COPY sources ./sources
COPY forecasts ./forecasts
RUN pip install --no-cache-dir .

COPY . .
# Static files are collected at build time; the key is a build-only placeholder.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

RUN useradd --create-home hindsight && chown -R hindsight /app
USER hindsight
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
