"""gunicorn settings: gunicorn -c backend/gunicorn_conf.py backend.wsgi:app"""
from backend.config import load_settings

_settings = load_settings()
bind = f"{_settings.host}:{_settings.port}"
# Threads share one process's connection pool; two processes use both cores.
worker_class = "gthread"
workers = 2
threads = _settings.db_pool_size
timeout = 30
graceful_timeout = 10
keepalive = 5
