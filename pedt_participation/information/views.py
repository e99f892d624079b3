"""Public information pages: how voting works in plain words, the accessibility statement, the site's icon."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("information", __name__)


@bp.get("/comment-ca-marche")
def how_it_works():
    return render_template("information/how_it_works.html")


@bp.get("/accessibilite")
def accessibility():
    return render_template("information/accessibility.html")


@bp.get("/favicon.ico")
def favicon():
    """Browsers and feed readers ask for /favicon.ico whatever the page says: answer with the site's icon."""
    return current_app.send_static_file("favicon.svg")
