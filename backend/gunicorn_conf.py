"""gunicorn settings: gunicorn -c backend/gunicorn_conf.py backend.wsgi:app"""
import sys

from backend.config import load_settings

_settings = load_settings()
bind = f"{_settings.host}:{_settings.port}"
# Threads share one process's connection pool; two processes use both cores.
worker_class = "gthread"
workers = 2
threads = _settings.web_threads
# The pool lets at most DB_POOL_SIZE threads into the database; the rest stay free for health,
# pages and static files while the database stalls. Equal or more would let a stall take them all.
if _settings.db_pool_size >= threads:
    threads = _settings.db_pool_size + 2
    print(f"gunicorn_conf: DB_POOL_SIZE={_settings.db_pool_size} is not below WEB_THREADS; using {threads} threads",
          file=sys.stderr)
timeout = 30
graceful_timeout = 10
keepalive = 5
