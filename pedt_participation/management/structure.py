"""A consultation's structure: its orientations (grouped under themes) and their official actions, added, edited,
removed and put in order by its managers. Every change is in the moderation log; what people voted on or discussed
is never removed."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from ..errors import NotFound, ParticipationRefused
from ..extensions import db
from ..languages.services import TRANSLATED_LANGUAGES
from ..models import (
    Action,
    ActionOrigin,
    ActionState,
    Comment,
    Consultation,
    ModerationAction,
    Orientation,
    PaperVoteCount,
    Participant,
    Pictogram,
    Vote,
    utcnow,
)
from ..moderation.services import record
from .lifecycle import check_editable

TITLE_MAX_LENGTH, THEME_MAX_LENGTH = 400, 300
# The translated fields of an item, by the name its French field has in `translations`.
TRANSLATED_FIELDS = ("title", "text", "easy_read")


class Kind(enum.StrEnum):
    ORIENTATION = "orientation"
    ACTION = "action"


class Direction(enum.StrEnum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True)
class ItemEdit:
    """What the editor sets on an orientation or an official action; `theme` and `pictogram` are for orientations
    only. `translations` is {"en": {"title": …, "text": …, "easy_read": …}, "ar": {…}}, empty strings for none."""

    title: str
    text: str
    easy_read: str
    theme: str = ""
    pictogram: Pictogram | None = None
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


def orientation_of(consultation: Consultation, orientation_id: int) -> Orientation:
    orientation = db.session.get(Orientation, orientation_id)
    if orientation is None or orientation.consultation_id != consultation.id:
        raise NotFound()
    return orientation


def item_of(consultation: Consultation, kind: str, item_id: int) -> Orientation | Action:
    """An orientation of the consultation, or one of its official actions; NotFound otherwise."""
    if kind == Kind.ORIENTATION:
        return orientation_of(consultation, item_id)
    action = db.session.get(Action, item_id) if kind == Kind.ACTION else None
    if action is None or action.origin != ActionOrigin.OFFICIAL or action.orientation.consultation_id != consultation.id:
        raise NotFound()
    return action


def official_actions(orientation: Orientation) -> list[Action]:
    return [a for a in orientation.actions if a.origin == ActionOrigin.OFFICIAL and a.state == ActionState.PUBLISHED]


def current_edit(item: Orientation | Action) -> ItemEdit:
    text_field = _text_field(item)
    translations = {
        language: {
            name: (item.translations or {}).get(language, {}).get(text_field if name == "text" else name, "")
            for name in TRANSLATED_FIELDS
        }
        for language in TRANSLATED_LANGUAGES
    }
    return ItemEdit(
        title=item.title,
        text=getattr(item, text_field),
        easy_read=item.easy_read,
        theme=(item.theme or "") if isinstance(item, Orientation) else "",
        pictogram=item.pictogram if isinstance(item, Orientation) else None,
        translations=translations,
    )


def themes(consultation: Consultation) -> list[str]:
    """The consultation's themes, in the order of their first orientation."""
    return list(dict.fromkeys(o.theme for o in consultation.orientations if o.theme))


def rename_theme(manager: Participant, consultation: Consultation, theme: str, new_name: str) -> int:
    """Renames a theme on every orientation under it; empty, its orientations no longer have a theme. Returns how
    many orientations changed."""
    check_editable(consultation)
    new_name = new_name.strip()
    if len(new_name) > THEME_MAX_LENGTH:
        raise ParticipationRefused(_("Le thème est trop long : %(max)s caractères au plus.", max=THEME_MAX_LENGTH), field="name")
    under = [o for o in consultation.orientations if o.theme == theme]
    if not under:
        raise NotFound()
    if new_name == theme:
        return 0
    for orientation in under:
        orientation.theme = new_name or None
    db.session.flush()
    record(manager, ModerationAction.EDIT_ITEM, consultation, consultation,
           changes={"theme": {"before": theme, "after": new_name}})
    return len(under)


def add_orientation(manager: Participant, consultation: Consultation, edit: ItemEdit) -> Orientation:
    check_editable(consultation)
    edit = _checked(edit)
    last = db.session.scalar(select(func.max(Orientation.position)).where(Orientation.consultation_id == consultation.id))
    orientation = Orientation(consultation=consultation, position=(last or 0) + 1, title=edit.title)
    _apply(orientation, edit)
    db.session.add(orientation)
    db.session.flush()
    record(manager, ModerationAction.ADD_ITEM, orientation, consultation, title=orientation.title)
    return orientation


def add_action(manager: Participant, orientation: Orientation, edit: ItemEdit) -> Action:
    """An official action, published at once: it comes from the town's own document."""
    check_editable(orientation.consultation)
    edit = _checked(edit)
    last = db.session.scalar(select(func.max(Action.position)).where(Action.orientation_id == orientation.id))
    now = utcnow()
    action = Action(
        orientation=orientation,
        position=(last or 0) + 1,
        title=edit.title,
        origin=ActionOrigin.OFFICIAL,
        state=ActionState.PUBLISHED,
        created_at=now,
        published_at=now,
    )
    _apply(action, edit)
    db.session.add(action)
    db.session.flush()
    record(manager, ModerationAction.ADD_ITEM, action, orientation.consultation, title=action.title)
    return action


def edit_item(manager: Participant, item: Orientation | Action, edit: ItemEdit) -> list[str]:
    """Saves the edit, logs the fields it changed (before and after) and returns their names."""
    consultation = _consultation_of(item)
    check_editable(consultation)
    edit = _checked(edit)
    before = current_edit(item)
    changed = [
        name for name in ("title", "text", "easy_read", "theme", "pictogram", "translations")
        if getattr(before, name) != getattr(edit, name) and (name not in ("theme", "pictogram") or isinstance(item, Orientation))
    ]
    if not changed:
        return changed
    _apply(item, edit)
    db.session.flush()
    logged = {_field_name(item, name): {"before": getattr(before, name), "after": getattr(edit, name)} for name in changed}
    record(manager, ModerationAction.EDIT_ITEM, item, consultation, changes=logged)
    return changed


def remove_item(manager: Participant, item: Orientation | Action) -> None:
    """Refused once people voted on it, commented it or (for an orientation) proposed actions in it: their votes,
    words and proposals would go with it."""
    consultation = _consultation_of(item)
    check_editable(consultation)
    actions = item.actions if isinstance(item, Orientation) else [item]
    action_ids = [a.id for a in actions]
    voted = action_ids and (
        _any(select(Vote.id).where(Vote.action_id.in_(action_ids)))
        or _any(select(PaperVoteCount.id).where(PaperVoteCount.action_id.in_(action_ids), PaperVoteCount.supports > 0))
    )
    if voted:
        raise ParticipationRefused(
            _("Des personnes ont déjà voté pour cette orientation : elle ne peut plus être supprimée.")
            if isinstance(item, Orientation)
            else _("Des personnes ont déjà voté pour cette action : elle ne peut plus être supprimée.")
        )
    if action_ids and _any(select(Comment.id).where(Comment.action_id.in_(action_ids))):
        raise ParticipationRefused(
            _("Des personnes ont déjà commenté une action de cette orientation : elle ne peut plus être supprimée.")
            if isinstance(item, Orientation)
            else _("Des personnes ont déjà commenté cette action : elle ne peut plus être supprimée.")
        )
    if isinstance(item, Orientation) and any(a.origin == ActionOrigin.PARTICIPANT for a in actions):
        raise ParticipationRefused(
            _("Des participants ont proposé des actions dans cette orientation : elle ne peut plus être supprimée.")
        )
    record(manager, ModerationAction.REMOVE_ITEM, item, consultation, title=item.title)
    siblings = [sibling for sibling in _siblings(item) if sibling is not item]
    db.session.delete(item)
    db.session.flush()
    _renumber(siblings)


def move_item(manager: Participant, item: Orientation | Action, direction: Direction) -> bool:
    """Swaps the item with its neighbour above or below on the management page (for an action, the official action
    next to it: participants' proposals keep their places); False when it is already first or last."""
    consultation = _consultation_of(item)
    check_editable(consultation)
    shown: list[Orientation | Action] = (
        list(consultation.orientations) if isinstance(item, Orientation) else list(official_actions(item.orientation))
    )
    index = shown.index(item)
    neighbour_index = index - 1 if direction == Direction.UP else index + 1
    if not 0 <= neighbour_index < len(shown):
        return False
    neighbour = shown[neighbour_index]
    siblings = _siblings(item)
    if len({sibling.position for sibling in siblings}) < len(siblings):
        _renumber(siblings)  # two at the same position cannot be told apart by swapping
    before = item.position
    here, there = siblings.index(item), siblings.index(neighbour)
    siblings[here], siblings[there] = neighbour, item
    _renumber(siblings)
    record(manager, ModerationAction.MOVE_ITEM, item, consultation,
           position={"before": before, "after": item.position})
    return True


def _siblings(item: Orientation | Action) -> list[Orientation | Action]:
    """The item and the others it is ordered among: its consultation's orientations, or its orientation's actions
    (participants' published proposals included, which keep their place between official actions)."""
    if isinstance(item, Orientation):
        return list(item.consultation.orientations)
    return list(item.orientation.actions)


def _renumber(items: list[Orientation | Action]) -> None:
    """Positions 1, 2, 3… in the list's order. Orientations' positions are unique in their consultation: they go
    through negative numbers first, so that no two hold the same position in between."""
    for index, item in enumerate(items, start=1):
        item.position = -index
    db.session.flush()
    for index, item in enumerate(items, start=1):
        item.position = index
    db.session.flush()


def _any(statement: Select) -> bool:
    return db.session.scalar(statement.limit(1)) is not None


def _consultation_of(item: Orientation | Action) -> Consultation:
    return item.consultation if isinstance(item, Orientation) else item.orientation.consultation


def _text_field(item: Orientation | Action) -> str:
    return "description" if isinstance(item, Orientation) else "body"


def _field_name(item: Orientation | Action, name: str) -> str:
    return _text_field(item) if name == "text" else name


def _checked(edit: ItemEdit) -> ItemEdit:
    edit = ItemEdit(
        title=edit.title.strip(),
        text=edit.text.strip(),
        easy_read=edit.easy_read.strip(),
        theme=edit.theme.strip(),
        pictogram=edit.pictogram,
        translations={
            language: {name: (edit.translations.get(language, {}).get(name) or "").strip() for name in TRANSLATED_FIELDS}
            for language in TRANSLATED_LANGUAGES
        },
    )
    if not edit.title:
        raise ParticipationRefused(_("Donnez un titre."), field="title")
    if len(edit.title) > TITLE_MAX_LENGTH:
        raise ParticipationRefused(_("Le titre est trop long : %(max)s caractères au plus.", max=TITLE_MAX_LENGTH), field="title")
    if len(edit.theme) > THEME_MAX_LENGTH:
        raise ParticipationRefused(_("Le thème est trop long : %(max)s caractères au plus.", max=THEME_MAX_LENGTH), field="theme")
    return edit


def _apply(item: Orientation | Action, edit: ItemEdit) -> None:
    text_field = _text_field(item)
    item.title = edit.title
    setattr(item, text_field, edit.text)
    item.easy_read = edit.easy_read
    if isinstance(item, Orientation):
        item.theme = edit.theme or None
        item.pictogram = edit.pictogram
    translations = {}
    for language, values in edit.translations.items():
        entry = {(text_field if name == "text" else name): value for name, value in values.items() if value}
        if entry:
            translations[language] = entry
    item.translations = translations  # a new dict, so that SQLAlchemy sees the change
