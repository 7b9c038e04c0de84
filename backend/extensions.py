"""Flask extensions created once and bound in the app factory."""
from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# Storage and the on/off switch are set from Settings in create_app.
limiter = Limiter(key_func=get_remote_address, headers_enabled=True, strategy="fixed-window")
