"""Public information pages: how voting works in plain words, and the accessibility statement."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("information", __name__)


@bp.get("/comment-ca-marche")
def how_it_works():
    return render_template("information/how_it_works.html")


@bp.get("/accessibilite")
def accessibility():
    return render_template("information/accessibility.html")
