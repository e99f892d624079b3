"""Open-data exchange with the host platform (Decidim): its proposals come in from its CSV export,
previewed, then imported as actions under the orientations the staff chose for its taxonomies; our
published actions and their visible comments go out in the same layout. Counts only ever leave as
totals: no person's vote is exported, and none is made up from the platform's totals on import."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from ..comments.services import live_comment_counts
from ..consultations.services import published_actions
from ..consultations.similarity import keywords
from ..downloads import safe_text
from ..errors import ParticipationRefused
from ..extensions import db
from ..languages.services import ngettext
from ..models import (
    Action,
    ActionOrigin,
    ActionState,
    AnswerState,
    Comment,
    Consultation,
    Orientation,
    Participant,
    utcnow,
)
from ..moderation.services import check_moderation_open
from ..public_names import keyed_digest, shown_under_pseudonym
from ..voting.services import count_votes
from . import decidim

MAX_FILE_BYTES = 2 * 1024 * 1024
TITLE_MAX_LENGTH = 400
# The key of proposals that carry no taxonomy, in the mapping and on the command line.
NO_TAXONOMY = "Sans thème"
# How alike a taxonomy name and an orientation title must be for the preview to propose it.
CLOSE_ENOUGH = 0.6


# --- reading the platform's file -------------------------------------------------------------------


@dataclass
class PlatformProposal:
    """One row of the platform's proposals file. `problem` says, in French, why it cannot be imported."""

    line: int
    reference: str
    title: str
    body: str
    answer_state: AnswerState | None
    answer: str
    answered_at: datetime | None
    published_at: datetime | None
    taxonomies: list[str]
    votes: int
    comments: int
    problem: str = ""
    note: str = ""

    @property
    def mapping_keys(self) -> list[str]:
        return self.taxonomies or [NO_TAXONOMY]


def read_proposals(content: bytes) -> list[PlatformProposal]:
    if len(content) > MAX_FILE_BYTES:
        raise ParticipationRefused(
            _(
                "Le fichier dépasse %(size)s Mo. Exportez les propositions d’une seule consultation de la plateforme.",
                size=MAX_FILE_BYTES // (1024 * 1024),
            )
        )
    proposals: list[PlatformProposal] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(decidim.read_rows(content)):
        proposal = _proposal(row, line=index + 2)  # the header is line 1, as in a spreadsheet
        if not proposal.problem and proposal.reference in seen:
            proposal.problem = _("elle figure déjà ligne %(line)s du fichier.", line=seen[proposal.reference])
        seen.setdefault(proposal.reference, proposal.line)
        proposals.append(proposal)
    return proposals


def _proposal(row: dict[str, str], line: int) -> PlatformProposal:
    state = row.get("state", "").strip().lower()
    url, platform_id = row.get("url", "").strip(), row.get("id", "").strip()
    proposal = PlatformProposal(
        line=line,
        reference=url or (f"id:{platform_id}" if platform_id else ""),
        title=decidim.localized(row, "title"),
        body=decidim.localized(row, "body"),
        answer_state=decidim.ANSWER_STATES.get(state),
        answer=decidim.localized(row, "answer"),
        answered_at=decidim.parse_datetime(row.get("answered_at", "") or row.get("state_published_at", "")),
        published_at=decidim.parse_datetime(row.get("published_at", "")),
        taxonomies=decidim.taxonomy_names(row),
        votes=decidim.whole_number(row.get("votes", "") or row.get("supports", "")),
        comments=decidim.whole_number(row.get("comments", "")),
    )
    if not proposal.title:
        proposal.problem = _("elle n’a pas de titre.")
    elif len(proposal.title) > TITLE_MAX_LENGTH:
        proposal.problem = _("son titre dépasse %(max)s caractères.", max=TITLE_MAX_LENGTH)
    elif not proposal.reference:
        proposal.problem = _("ni son identifiant (« id ») ni son adresse (« url ») ne sont indiqués : on ne pourrait pas reconnaître un second import.")
    elif state == decidim.WITHDRAWN_STATE or decidim.is_true(row.get("withdrawn", "")):
        proposal.problem = _("son auteur l’a retirée sur la plateforme.")
    elif decidim.is_true(row.get("is_amend", "")):
        proposal.problem = _("c’est un amendement d’une autre proposition.")
    elif state not in decidim.UNANSWERED_STATES and proposal.answer_state is None:
        proposal.note = _("état « %(state)s » inconnu ici : importée sans réponse officielle.", state=state)
    return proposal


# --- preview and import ----------------------------------------------------------------------------


@dataclass
class TaxonomyUse:
    name: str
    proposals: int
    proposed: Orientation | None


@dataclass
class ImportPreview:
    new: list[PlatformProposal] = field(default_factory=list)
    already_imported: list[PlatformProposal] = field(default_factory=list)
    refused: list[PlatformProposal] = field(default_factory=list)
    taxonomies: list[TaxonomyUse] = field(default_factory=list)

    @property
    def notes(self) -> list[PlatformProposal]:
        return [p for p in self.new if p.note]

    @property
    def answered(self) -> int:
        return sum(1 for p in self.new if p.answer_state is not None)

    @property
    def platform_votes(self) -> int:
        return sum(p.votes for p in self.new)

    @property
    def platform_comments(self) -> int:
        return sum(p.comments for p in self.new)


def preview_import(consultation: Consultation, content: bytes) -> ImportPreview:
    """What an import would do: the new proposals, those already here, those refused and why, and for
    each taxonomy the orientation whose title is closest. Refused once the consultation is archived, since an
    import, which every preview leads to, is."""
    check_moderation_open(consultation)
    preview = ImportPreview()
    known = _known_references(consultation)
    for proposal in read_proposals(content):
        if proposal.problem:
            preview.refused.append(proposal)
        elif proposal.reference in known:
            preview.already_imported.append(proposal)
        else:
            preview.new.append(proposal)
    uses = Counter(key for proposal in preview.new for key in proposal.mapping_keys)
    preview.taxonomies = [
        TaxonomyUse(name, count, _closest_orientation(name, consultation.orientations)) for name, count in uses.items()
    ]
    return preview


def _known_references(consultation: Consultation) -> set[str]:
    """References of the actions imported before, and the public addresses of all the consultation's
    actions: our own export imported back into the same consultation adds nothing."""
    rows = db.session.execute(
        select(Action.id, Action.platform_reference).join(Orientation).where(Orientation.consultation_id == consultation.id)
    )
    known = set()
    for action_id, reference in rows:
        known.add(action_url(action_id))
        if reference:
            known.add(reference)
    return known


def _plain(text: str) -> str:
    return " ".join(sorted(keywords(text)))


def _closest_orientation(name: str, orientations: list[Orientation]) -> Orientation | None:
    """The orientation whose title reads most like the taxonomy name (accents, case, plurals and small
    words aside) or holds all its words, if one is close enough and closer than the others."""
    wanted = keywords(name)

    def closeness(orientation: Orientation) -> float:
        words = keywords(orientation.title)
        spelling = difflib.SequenceMatcher(None, _plain(name), _plain(orientation.title)).ratio()
        return max(spelling, len(wanted & words) / len(wanted) if wanted else 0.0)

    scored = sorted(((closeness(o), o.position, o) for o in orientations), key=lambda item: (-item[0], item[1]))
    if not scored or scored[0][0] < CLOSE_ENOUGH or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][2]


@dataclass
class ImportReport:
    created: int = 0
    already_imported: int = 0
    not_mapped: int = 0
    refused: int = 0


def import_proposals(
    consultation: Consultation, content: bytes, mapping: dict[str, Orientation | None]
) -> ImportReport:
    """Creates one published action per new proposal, under the orientation of its first mapped
    taxonomy (none mapped: left out), with the platform's official answer when it has one. Proposals
    imported before are recognised by their reference and left alone."""
    preview = preview_import(consultation, content)
    missing = [use.name for use in preview.taxonomies if use.name not in mapping]
    if missing:
        raise ParticipationRefused(
            _("Choisissez une orientation (ou « ne pas importer ») pour : %(names)s.", names=", ".join(missing))
        )
    if any(o is not None and o.consultation_id != consultation.id for o in mapping.values()):
        raise ParticipationRefused(_("Cette orientation n’appartient pas à la même consultation."))
    report = ImportReport(already_imported=len(preview.already_imported), refused=len(preview.refused))
    positions = dict(
        db.session.execute(
            select(Action.orientation_id, func.max(Action.position))
            .join(Orientation)
            .where(Orientation.consultation_id == consultation.id)
            .group_by(Action.orientation_id)
        ).tuples().all()
    )
    now = utcnow()
    for proposal in preview.new:
        orientation = next((mapping[key] for key in proposal.mapping_keys if mapping[key] is not None), None)
        if orientation is None:
            report.not_mapped += 1
            continue
        positions[orientation.id] = positions.get(orientation.id, 0) + 1
        answered = proposal.answer_state is not None
        db.session.add(
            Action(
                orientation=orientation,
                position=positions[orientation.id],
                title=proposal.title,
                body=proposal.body,
                origin=ActionOrigin.PARTICIPANT,
                state=ActionState.PUBLISHED,
                published_at=proposal.published_at or now,
                platform_reference=proposal.reference,
                answer_draft_state=proposal.answer_state,
                answer_draft_text=proposal.answer if answered else "",
                answer_state=proposal.answer_state,
                answer_text=proposal.answer if answered else "",
                answer_published_at=(proposal.answered_at or now) if answered else None,
            )
        )
        report.created += 1
    db.session.flush()
    return report


def mapping_by_name(
    consultation: Consultation, content: bytes, chosen: dict[str, str]
) -> dict[str, Orientation | None]:
    """For the command line: each taxonomy goes to the orientation `chosen` gives (its position, or
    "-" to leave it out), else to the one orientation with the same title. Anything else is refused,
    with every taxonomy that needs a choice named."""
    by_position = {str(o.position): o for o in consultation.orientations}
    preview = preview_import(consultation, content)
    names = [use.name for use in preview.taxonomies]
    in_file = {key.casefold() for p in preview.new + preview.already_imported for key in p.mapping_keys}
    chosen = {name.strip().casefold(): position for name, position in chosen.items()}
    unknown = [name for name in chosen if name not in in_file]
    if unknown:
        raise ParticipationRefused(
            _(
                "Taxonomie absente du fichier : %(unknown)s. Celles du fichier : %(names)s.",
                unknown=", ".join(unknown),
                names=", ".join(sorted(in_file)) or _("aucune"),
            )
        )
    mapping: dict[str, Orientation | None] = {}
    unresolved = []
    for name in names:
        if name.casefold() in chosen:
            position = chosen[name.casefold()].strip()
            if position != "-" and position not in by_position:
                raise ParticipationRefused(
                    _("Pas d’orientation n° %(position)s dans cette consultation (pour « %(name)s »).", position=position, name=name)
                )
            mapping[name] = by_position.get(position)
            continue
        same = [o for o in consultation.orientations if _plain(o.title) == _plain(name)]
        if len(same) == 1:
            mapping[name] = same[0]
        else:
            unresolved.append(name)
    if unresolved:
        raise ParticipationRefused(
            ngettext(
                "Aucune orientation ne porte exactement le nom de cette taxonomie : %(names)s. "
                "Indiquez où la mettre avec --map \"Nom=n° d’orientation\" (ou \"Nom=-\" pour l’ignorer).",
                "Aucune orientation ne porte exactement le nom de ces taxonomies : %(names)s. "
                "Indiquez où les mettre avec --map \"Nom=n° d’orientation\" (ou \"Nom=-\" pour en ignorer une).",
                len(unresolved),
                names=", ".join(f"« {name} »" for name in unresolved),
            )
        )
    return mapping


# --- export ----------------------------------------------------------------------------------------


def action_url(action_id: int) -> str:
    """The public address of an action, outside any request (downloads stream after it, the CLI has none)."""
    public = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(public.netloc, script_name=public.path or "/", url_scheme=public.scheme)
    return adapter.build("consultations.action", {"action_id": action_id}, force_external=True)


def pseudonym(author: Participant | None) -> str:
    """The same opaque id for a person in every export, which says nothing of who they are. None for a child
    under 15: an id would link their comments to their proposals, which the site shows under no name."""
    if author is None or shown_under_pseudonym(author):
        return ""
    return keyed_digest("opendata-author", author.id)[:16]


def proposals_rows(consultation_id: int) -> Iterator[list]:
    """Published actions in Decidim's proposals layout, orientations as taxonomies, with their
    aggregate supports and visible comments."""
    consultation = db.session.get_one(Consultation, consultation_id)
    actions = published_actions(consultation)
    orientations = [o for o in consultation.orientations if any(a.orientation_id == o.id for a in actions)]
    yield [
        "id", "author/id", "taxonomies/ids",
        *(f"taxonomies/{o.id}/{decidim.PREFERRED_LOCALE}" for o in orientations),
        "title/fr", "body/fr", "state", "answer/fr", "answered_at", "votes", "comments", "published_at", "url",
    ]
    ids = [a.id for a in actions]
    votes, comments = count_votes(ids), live_comment_counts(ids)
    # The host platform republishes the file: counts hidden during the vote stay out of it too.
    supports_shown = consultation.supports_enabled and consultation.figures_visible()
    for action in actions:
        yield [
            action.id,
            pseudonym(action.author),
            action.orientation_id,
            *(safe_text(o.title) if o.id == action.orientation_id else "" for o in orientations),
            safe_text(action.title),
            safe_text(action.body),
            decidim.EXPORTED_STATES[action.answer_state],
            safe_text(action.answer_text) if action.answer_state else "",
            decidim.format_datetime(action.answer_published_at if action.answer_state else None),
            votes[action.id].supports if supports_shown else "",
            comments.get(action.id, 0),
            decidim.format_datetime(action.published_at),
            action_url(action.id),
        ]


def comments_rows(consultation_id: int) -> Iterator[list]:
    """Visible comments on published actions in Decidim's comments layout: a reply's commentable is
    the comment it answers (as on Decidim), `root_commentable_url` the action's page. No name."""
    consultation = db.session.get_one(Consultation, consultation_id)
    urls = {a.id: action_url(a.id) for a in published_actions(consultation)}
    yield decidim.COMMENT_COLUMNS
    comments = db.session.scalars(
        select(Comment)
        .outerjoin(Participant, Participant.id == Comment.author_id)
        .options(contains_eager(Comment.author))
        .where(
            Comment.action_id.in_(list(urls)),
            Comment.deleted_at.is_(None),
            Comment.hidden_at.is_(None),
            Participant.writings_shown,
        )
        .order_by(Comment.id)
        .execution_options(yield_per=500)
    )
    for comment in comments:
        yield [
            comment.id,
            decidim.format_datetime(comment.created_at),
            safe_text(comment.body),
            decidim.PREFERRED_LOCALE,
            pseudonym(comment.author),
            comment.alignment,
            comment.depth,
            comment.parent_id or comment.action_id,
            decidim.COMMENT_TYPE if comment.parent_id else decidim.PROPOSAL_TYPE,
            urls[comment.action_id],
        ]


def proposals_csv(consultation_id: int) -> Iterator[bytes]:
    return decidim.csv_chunks(proposals_rows(consultation_id))


def comments_csv(consultation_id: int) -> Iterator[bytes]:
    return decidim.csv_chunks(comments_rows(consultation_id))


def download_name(consultation: Consultation, what: str) -> str:
    return f"decidim-{what}-{consultation.slug}-{utcnow().date().isoformat()}.csv"
