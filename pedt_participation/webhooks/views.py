"""Admin pages for webhooks: the platform's addresses, their secret, a test event, the delivery log.
Nested in the admin blueprint (/admin/webhooks), whose admins-only check covers every page here."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ..errors import refusal_shown
from ..extensions import db
from ..models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from ..navigation import safe_next_url
from . import services
from .forms import ConfirmForm, DeliveryFilterForm, EndpointForm

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    return db.get_or_404(WebhookEndpoint, endpoint_id)


def _fields(form: EndpointForm) -> dict:
    return {
        "url": form.url.data,
        "description": form.description.data or "",
        "events": form.events.data,
        "active": form.active.data,
    }


def _secret_page(endpoint: WebhookEndpoint, created: bool):
    """The secret is shown here only, once: the page must not be kept by a browser or a proxy."""
    response = render_template("webhooks/secret.html", endpoint=endpoint, created=created)
    return response, 200, {"Cache-Control": "no-store"}


@bp.get("/")
def index():
    return render_template("webhooks/index.html", endpoints=services.endpoints(), form=EndpointForm())


@bp.post("/")
def create():
    form = EndpointForm()
    if form.validate_on_submit():
        with refusal_shown(form=form):
            endpoint = services.create_endpoint(current_user, **_fields(form))
            db.session.commit()
            return _secret_page(endpoint, created=True)
    return render_template("webhooks/index.html", endpoints=services.endpoints(), form=form), 422


def _endpoint_page(endpoint: WebhookEndpoint, form: EndpointForm):
    return render_template(
        "webhooks/endpoint.html",
        endpoint=endpoint,
        form=form,
        secret_form=ConfirmForm(prefix="secret"),
        delete_form=ConfirmForm(prefix="delete"),
    )


@bp.get("/<int:endpoint_id>")
def edit(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    return _endpoint_page(endpoint, EndpointForm(obj=endpoint))


@bp.post("/<int:endpoint_id>")
def update(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    form = EndpointForm()
    if form.validate_on_submit():
        with refusal_shown(form=form):
            services.update_endpoint(endpoint, **_fields(form))
            db.session.commit()
            flash(_("L’adresse %(url)s est enregistrée.", url=endpoint.url), "success")
            return redirect(url_for(".index"), 303)
    return _endpoint_page(endpoint, form), 422


@bp.post("/<int:endpoint_id>/secret")
def regenerate_secret(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    if not ConfirmForm(prefix="secret").validate_on_submit():
        flash(_("Le secret n’a pas changé : cochez « Je confirme » pour en créer un nouveau."), "error")
        return redirect(url_for(".edit", endpoint_id=endpoint.id), 303)
    services.regenerate_secret(endpoint)
    db.session.commit()
    return _secret_page(endpoint, created=False)


@bp.post("/<int:endpoint_id>/ping")
def ping(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    with refusal_shown():
        services.send_ping(endpoint)
        db.session.commit()
        flash(_("Événement d’essai envoyé. Son résultat s’affiche ci-dessous dans quelques secondes."), "success")
        return redirect(url_for(".deliveries", webhook=endpoint_id), 303)
    return redirect(url_for(".edit", endpoint_id=endpoint_id), 303)


@bp.post("/<int:endpoint_id>/delete")
def delete(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    if not ConfirmForm(prefix="delete").validate_on_submit():
        flash(_("L’adresse n’a pas été supprimée : cochez « Je confirme » pour la supprimer."), "error")
        return redirect(url_for(".edit", endpoint_id=endpoint.id), 303)
    url = endpoint.url
    services.delete_endpoint(endpoint)
    db.session.commit()
    flash(_("L’adresse %(url)s est supprimée, avec son journal d’envois.", url=url), "success")
    return redirect(url_for(".index"), 303)


@bp.get("/deliveries")
def deliveries():
    form = DeliveryFilterForm(request.args)
    form.webhook.choices = [SelectChoice("", _("Toutes"))] + [
        SelectChoice(endpoint.id, endpoint.description or endpoint.url) for endpoint in services.endpoints()
    ]
    form.validate()
    filters = services.DeliveryFilters(
        endpoint_id=form.webhook.data if not form.webhook.errors else None,
        status=DeliveryStatus(form.status.data) if form.status.data and not form.status.errors else None,
    )
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    return render_template("webhooks/deliveries.html", form=form, deliveries=services.deliveries(filters, page))


@bp.post("/deliveries/<int:delivery_id>/resend")
def resend(delivery_id: int):
    delivery = db.get_or_404(WebhookDelivery, delivery_id)
    with refusal_shown():
        services.resend_delivery(delivery)
        db.session.commit()
        flash(_("L’événement est envoyé à nouveau."), "success")
    return redirect(safe_next_url(url_for(".deliveries")), 303)
