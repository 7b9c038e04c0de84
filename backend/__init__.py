"""Shopwright: an online shop backend (Flask routes -> services -> repositories -> MySQL)."""
