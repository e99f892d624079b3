"""The reference population of a consultation's territory: one row per IRIS (INSEE's smallest census area), with
its people per age bracket of the app and the consultation neighbourhood it belongs to."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model
from .types import UTCDateTime, utcnow


class PopulationArea(Model):
    """An IRIS of INSEE's population table (`base-ic-evol-struct-pop`), loaded by staff for one consultation.
    Loading a new file replaces every row of the consultation."""

    __tablename__ = "population_areas"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "iris"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    iris: Mapped[str] = mapped_column(sa.String(20))  # INSEE's IRIS code, e.g. "751010101"
    label: Mapped[str] = mapped_column(sa.String(200))  # LIBIRIS, or the code when the file has no label
    commune: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    census_year: Mapped[int]  # from the columns' prefix: P21_ → 2021
    # People of the IRIS per age bracket of the app ("11-14" … "60+"), from INSEE's bands (see
    # committee/representativeness.py for how they are split); fractional, as INSEE's IRIS figures are.
    people_by_age_bracket: Mapped[dict[str, float]] = mapped_column(sa.JSON)
    # The consultation's neighbourhood (as participants give it) this IRIS is part of; None: not mapped, left out.
    neighbourhood: Mapped[str | None] = mapped_column(sa.String(120))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
