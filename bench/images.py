"""Upload time of a 12-megapixel photo through the real HTTP endpoint, on gunicorn as `make run` serves the shop.

Creates its own database and media directory, starts gunicorn (backend/gunicorn_conf.py: 2 workers x 8 threads)
on 127.0.0.1, makes a product manager and a product, generates a 4000x3000 noisy JPEG with EXIF (orientation,
camera, GPS), and POSTs it as multipart/form-data to /api/v1/products/{id}/images over one keep-alive
connection: one warm-up upload, then --uploads timed ones. Each time is the client's wall clock from the first
byte sent to the 201 read (transfer over loopback, decode, EXIF rotation, three resized and re-encoded copies,
atomic file writes, the database transaction). Also prints the server-side image work alone (in this process).
Stops the server, drops the database and removes the media directory.
Run: .venv/bin/python bench/images.py [--port 5310] [--uploads 10]
"""
from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.config import load_settings  # noqa: E402
from backend.container import Services  # noqa: E402
from backend.context import SYSTEM  # noqa: E402
from backend.db import Database  # noqa: E402
from backend.migrate import apply_schema, create_database, drop_database  # noqa: E402
from backend.services import imaging  # noqa: E402
from tests.conftest import new_user  # noqa: E402
from tests.images_support import exif_bytes  # noqa: E402

WIDTH, HEIGHT = 4000, 3000


def photo(seed: int = 12) -> bytes:
    """A 12-megapixel JPEG like a phone's: a smooth scene with sensor-like noise, EXIF with orientation and GPS."""
    rng = random.Random(seed)
    scene = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    channels = [scene.point(lambda v, k=k: (v * k) // 3 + 40) for k in (1, 2, 3)]
    noise = Image.frombytes("L", (WIDTH, HEIGHT), rng.randbytes(WIDTH * HEIGHT)).point(lambda v: v // 3)
    image = Image.merge("RGB", [Image.blend(c, noise, 0.4) for c in channels])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif_bytes(orientation=6, gps=True))
    return out.getvalue()


def multipart(data: bytes) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\nBench photo\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"IMG_0001.JPG\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n").encode()
    return f"multipart/form-data; boundary={boundary}", head + data + f"\r\n--{boundary}--\r\n".encode()


def _start(port: int, settings) -> subprocess.Popen:
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "DB_NAME": settings.db_name,
           "MEDIA_DIR": settings.media_dir, "RATELIMIT_ENABLED": "false", "MAIL_SENDER_ENABLED": "false",
           "CLEANUP_INTERVAL_MINUTES": "0", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-c", "backend/gunicorn_conf.py", "backend.wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not answer")


def _upload(conn: http.client.HTTPConnection, path: str, token: str, content_type: str, body: bytes) -> float:
    started = time.perf_counter()
    conn.request("POST", path, body=body, headers={"Content-Type": content_type, "Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    answer = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 201:
        raise SystemExit(f"upload answered {response.status}: {answer[:300]!r}")
    json.loads(answer)
    return elapsed


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=5310)
    parser.add_argument("--uploads", type=int, default=10)
    args = parser.parse_args()
    media = tempfile.mkdtemp(prefix="shopwright-bench-media-")
    settings = replace(load_settings(), db_name=f"shopwright_bench_images_{os.getpid()}", media_dir=media,
                       log_level="WARNING", mail_sender_enabled=False, cleanup_interval_minutes=0)
    data = photo()
    print(f"photo: {WIDTH}x{HEIGHT} JPEG with EXIF (orientation 6, GPS), {len(data) / 1e6:.2f} MB")
    create_database(settings)
    server = None
    try:
        apply_schema(settings)
        services = Services(settings, Database(settings))
        product_id = services.products.create_product(SYSTEM, {"name": "Bench camera", "price": Decimal("1.00")})["id"]
        token = new_user(services, "product_manager", email=f"bench-{uuid.uuid4().hex[:8]}@example.test")["token"]
        server = _start(args.port, settings)
        content_type, body = multipart(data)
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
        path = f"/api/v1/products/{product_id}/images"
        _upload(conn, path, token, content_type, body)  # warm-up: imports, first connections
        times = [_upload(conn, path, token, content_type, body) for _ in range(args.uploads)]
        work = []
        for _ in range(5):
            started = time.perf_counter()
            imaging.make_copies(data)
            work.append(time.perf_counter() - started)
        print(f"HTTP upload on gunicorn (2 workers x {settings.web_threads} threads), {args.uploads} uploads: "
              f"median {statistics.median(times) * 1000:.0f} ms, p95 {_p95(times) * 1000:.0f} ms, "
              f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")
        print(f"decode + three copies alone (in process, 5 runs): median {statistics.median(work) * 1000:.0f} ms")
        services.db.pool.close()
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        drop_database(settings, settings.db_name)
        shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
