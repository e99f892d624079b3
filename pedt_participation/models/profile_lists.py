"""The neighbourhoods and schools a consultation groups its participants by: a list kept by staff, so that "Quartier
Sud" and "Quartiers sud" are one group, and the free text people typed before the lists existed, mapped by staff to
an entry of them."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model
from .types import enum_column

# Offered beside every list; stored as the answer, as written here.
OTHER_ANSWER = "Autre"
UNSAID_ANSWER = "Je préfère ne pas répondre"


class ProfileListKind(enum.StrEnum):
    NEIGHBOURHOOD = "neighbourhood"
    SCHOOL = "school"


class ProfileListEntry(Model):
    """One neighbourhood or school of a consultation's list, in the order staff wrote them."""

    __tablename__ = "profile_list_entries"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "kind", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ProfileListKind] = mapped_column(enum_column(ProfileListKind, "profile_list_kind"))
    label: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int]


class ProfileAnswerMapping(Model):
    """A free-text answer ("Quartiers sud") that staff merged into an entry of the consultation's list: counted
    under that entry in the consultation's summaries."""

    __tablename__ = "profile_answer_mappings"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "kind", "answer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ProfileListKind] = mapped_column(enum_column(ProfileListKind, "profile_list_kind"))
    answer: Mapped[str] = mapped_column(sa.String(120))
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("profile_list_entries.id", ondelete="CASCADE"), index=True)

    entry: Mapped[ProfileListEntry] = relationship()
