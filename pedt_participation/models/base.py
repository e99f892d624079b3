"""The base class of every model."""

from typing import TYPE_CHECKING

from ..extensions import Base, db

if TYPE_CHECKING:
    # Flask-SQLAlchemy builds db.Model at run time from Base, and a type checker cannot follow a base class held in
    # an attribute: it sees Base, which gives the mapping and its typed columns.
    Model = Base
else:
    Model = db.Model
