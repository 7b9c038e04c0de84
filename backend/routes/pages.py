"""Storefront pages: HTML shells whose JavaScript calls the REST API."""
from __future__ import annotations

from flask import Blueprint, render_template

pages = Blueprint("pages", __name__)


@pages.get("/")
def home():
    return render_template("index.html")


@pages.get("/api/docs")
def api_docs():
    return render_template("api_docs.html")
