"""The steering committee's pages: snapshots of the results, their history, downloads and comparisons.
Committee members and admins only."""

from __future__ import annotations

from collections.abc import Sequence

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..authorization import Permission, can, require, restrict_pages
from ..consultations.services import all_consultations, get_consultation
from ..deferred_tasks import tasks_not_sent
from ..downloads import streamed_attachment
from ..errors import refusal_shown
from ..extensions import db
from ..labels import SUMMARY_STATUS_LABELS, SUMMARY_TRIGGER_LABELS
from ..models import CommitteeSummary, Consultation, SummaryFileKind, SummaryStatus, utcnow
from ..templating import format_long_datetime
from . import representativeness, services
from .analyses_section import analyses_context, weighting_warning
from .documents import MEDIA_TYPES
from .forms import CompareForm, NeighbourhoodMappingForm, PopulationFileForm, ScheduleForm

bp = Blueprint("committee", __name__, url_prefix="/comite")
restrict_pages(bp, Permission.READ_SUMMARIES)


@bp.get("/")
def index():
    return render_template("committee/index.html", consultations=all_consultations())


@bp.get("/<slug>")
def consultation(slug: str):
    consultation = get_consultation(slug)
    summaries = services.summaries_of(consultation)
    done = [summary for summary in summaries if summary.status == SummaryStatus.DONE]
    compare_form = _compare_form(done)
    if len(done) >= 2 and not request.args:
        compare_form.older.data, compare_form.newer.data = done[1].id, done[0].id
    return render_template(
        "committee/consultation.html",
        consultation=consultation,
        summaries=summaries,
        schedule_form=ScheduleForm(obj=consultation),
        compare_form=compare_form if len(done) >= 2 else None,
    )


def _compare_form(done: list[CommitteeSummary]) -> CompareForm:
    """Only the consultation's finished summaries can be chosen: any other id, of another consultation or
    past the database's range, is refused before it reaches the database."""
    form = CompareForm(request.args)
    form.older.choices = form.newer.choices = [(s.id, _summary_label(s)) for s in done]
    return form


def _summary_label(summary: CommitteeSummary) -> str:
    return f"{format_long_datetime(summary.finished_at, seconds=True)} — {SUMMARY_TRIGGER_LABELS[summary.trigger]}"


@bp.post("/<slug>/syntheses")
def request_summary(slug: str):
    summary = services.queue_summary(get_consultation(slug), requested_by=current_user)
    db.session.commit()
    if services.BUILD_TASK in tasks_not_sent():
        flash(
            _(
                "La synthèse est enregistrée en file d’attente, mais elle ne peut pas démarrer maintenant : le "
                "service de calcul ne répond pas. Revenez sur cette page dans quelques minutes pour la relancer."
            ),
            "error",
        )
    else:
        flash(_("La synthèse est en préparation. Cette page se met à jour toute seule."), "success")
    return redirect(url_for(".summary", summary_id=summary.id), code=303)


@bp.post("/<slug>/calendrier")
def schedule(slug: str):
    consultation = get_consultation(slug)
    form = ScheduleForm()
    if form.validate_on_submit():
        form.populate_obj(consultation)
        db.session.commit()
        flash(_("Le calendrier des synthèses est enregistré."), "success")
    else:
        flash(_("Le calendrier n’a pas pu être enregistré. Rechargez la page et réessayez."), "error")
    return redirect(url_for(".consultation", slug=slug), code=303)


@bp.get("/syntheses/<int:summary_id>")
def summary(summary_id: int):
    summary = services.summary_of(summary_id)
    data = summary.data if summary.status == SummaryStatus.DONE else None
    return render_template(
        "committee/summary.html",
        summary=summary,
        data=data,
        charts=services.page_charts(summary) if data else None,
        key_figures=services.key_figures(data) if data else None,
        **(analyses_context(data) if data else {}),
        can_be_sent_again=summary.can_be_sent_again(utcnow()),
    )


@bp.get("/syntheses/<int:summary_id>/etat")
def summary_status(summary_id: int):
    """Polled by the summary page while the snapshot is being built."""
    summary = services.summary_of(summary_id)
    return jsonify(
        status=summary.status.value,
        label=str(SUMMARY_STATUS_LABELS[summary.status]),
        progress=summary.progress,
        error=summary.error,
    )


@bp.post("/syntheses/<int:summary_id>/relancer")
def retry_summary(summary_id: int):
    summary = services.summary_of(summary_id)
    with refusal_shown():
        services.requeue_summary(summary)
        db.session.commit()
        flash(_("La synthèse est relancée."), "success")
    return redirect(url_for(".summary", summary_id=summary_id), code=303)


@bp.get("/syntheses/<int:summary_id>/synthese.<any(pdf, csv, xlsx, json):extension>")
def download(summary_id: int, extension: str):
    return summary_attachment(services.summary_of(summary_id, done=True), extension)


def summary_attachment(summary: CommitteeSummary, extension: str):
    """A finished snapshot's PDF, CSV or JSON, streamed: read from the database a slice at a time.
    The API's download answers with it too."""
    if extension == "json":
        generator, args, media_type = services.data_chunks, (summary.id,), MEDIA_TYPES["json"]
    else:
        kind = SummaryFileKind(extension)
        services.require_file(summary, kind)
        generator, args, media_type = services.file_chunks, (summary.id, kind), MEDIA_TYPES[kind]
    return streamed_attachment(
        generator, *args, media_type=media_type, filename=services.download_name(summary, extension)
    )


@bp.get("/<slug>/comparer")
def compare(slug: str):
    consultation = get_consultation(slug)
    form = _compare_form([s for s in services.summaries_of(consultation) if s.status == SummaryStatus.DONE])
    if not form.validate():
        abort(404)
    older, newer = services.summary_of(form.older.data), services.summary_of(form.newer.data)
    if older.finished_at > newer.finished_at:
        older, newer = newer, older
    return render_template(
        "committee/compare.html",
        consultation=consultation,
        older=older,
        newer=newer,
        comparison=services.compare(older, newer),
    )


def _population_page(consultation: Consultation, upload: PopulationFileForm,
                     mapping: NeighbourhoodMappingForm | None = None, errors: Sequence[str] = (), status: int = 200):
    """The reference population, the participation rates and the weighted results; the upload and the mapping of
    IRIS to neighbourhoods for the people who manage the consultation."""
    areas = representativeness.population_areas(consultation)
    if mapping is None:
        mapping = NeighbourhoodMappingForm(formdata=None, neighbourhoods=[area.neighbourhood or "" for area in areas])
    _offer_neighbourhoods(mapping, consultation)
    analysis = services.population_analysis(consultation)
    return render_template(
        "committee/population.html",
        consultation=consultation,
        areas=areas,
        upload=upload,
        mapping=mapping,
        mapping_rows=list(zip(mapping.neighbourhoods, areas, strict=False)),
        may_manage=can(current_user, Permission.MANAGE, consultation),
        analysis=analysis,
        weighting_warning=weighting_warning(analysis["weighting"]) if analysis else None,
        mapped=any(area.neighbourhood for area in areas),
        action_titles={action.id: action.title for o in consultation.orientations for action in o.actions},
        errors=errors,
    ), status


def _offer_neighbourhoods(mapping: NeighbourhoodMappingForm, consultation: Consultation) -> None:
    choices = [("", _("Hors du territoire (non compté)"))]
    choices += [(name, name) for name in representativeness.neighbourhoods_of(consultation)]
    for entry in mapping.neighbourhoods:
        entry.choices = choices


@bp.get("/<slug>/population")
def population(slug: str):
    return _population_page(get_consultation(slug), PopulationFileForm(formdata=None))


@bp.post("/<slug>/population")
def import_population(slug: str):
    consultation = get_consultation(slug)
    require(current_user, Permission.MANAGE, consultation)
    upload = PopulationFileForm()
    if upload.validate_on_submit():
        with refusal_shown(form=upload):
            areas = representativeness.import_population(consultation, upload.file.data.read())
            db.session.commit()
            flash(_("Population de référence chargée : %(count)s IRIS. Vérifiez le quartier de chacun.", count=areas),
                  "success")
            return redirect(url_for(".population", slug=slug), 303)
    return _population_page(consultation, upload, status=422)


@bp.post("/<slug>/population/quartiers")
def map_population(slug: str):
    consultation = get_consultation(slug)
    require(current_user, Permission.MANAGE, consultation)
    mapping = NeighbourhoodMappingForm()
    _offer_neighbourhoods(mapping, consultation)
    areas = representativeness.population_areas(consultation)
    errors: list[str] = []
    list_changed = bool(areas) and len(mapping.neighbourhoods) != len(areas)
    if not mapping.validate_on_submit() or list_changed:
        errors.append(_("La liste des IRIS a changé entre-temps : rechargez la page et choisissez à nouveau."))
    else:
        with refusal_shown(errors):
            representativeness.map_neighbourhoods(
                consultation, {area.id: entry.data for area, entry in zip(areas, mapping.neighbourhoods, strict=True)}
            )
            db.session.commit()
            flash(_("Les quartiers des IRIS sont enregistrés."), "success")
            return redirect(url_for(".population", slug=slug), 303)
    return _population_page(consultation, PopulationFileForm(formdata=None), mapping, errors, 422)
