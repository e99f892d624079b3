"""Each action's comments tallied by the database as they are written (two columns of `action_tallies`, kept by
triggers), so that a page reads how many comments an action shows in its one row, however many comments there are.
Filled from the comments already there.

A comment is shown while it is neither deleted nor hidden and its author's writings are shown
(`Participant.writings_shown`, written below as WRITINGS_SHOWN: not blocked, a parent's consent before 15; a comment
whose account no longer exists is shown); a thread is a root comment, shown or not (it keeps its place for its
replies). The triggers, on Postgres and on SQLite alike:
- a comment inserted, deleted, or whose state, thread or action changes (deleted, hidden, shown again, moved by a
  merge, erased with its account) moves its ones;
- an author whose writings start or stop being shown (blocked, unblocked, a parent's consent) adds or takes away
  their comments still shown; an author deleted adds back those their state hid, as their comments then show.
On Postgres the comments' triggers run once per statement, read the comments' authors with a share lock and lock
the actions' rows in the order of their ids, as the votes' do (migration 5e1f0c7a9d24 says why); SQLite tallies
row by row.

A change of the rule in `Participant.writings_shown`, or of which comments are shown, needs a migration that writes
the triggers again: tests/test_live_counts.py compares the tallies with a fresh count after every kind of change.
On SQLite, a later migration that rebuilds `comments` or `participants` (batch_alter_table) must create them again.

Revision ID: 8b2d4f6a1c37
Revises: 5e1f0c7a9d24
Create Date: 2026-12-07 18:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8b2d4f6a1c37'
down_revision = '5e1f0c7a9d24'
branch_labels = None
depends_on = None

# Whether a person's writings are shown, `Participant.writings_shown` in SQL; {p} is the row.
WRITINGS_SHOWN = (
    "({p}.blocked_at IS NULL AND ({p}.age_bracket IS NULL OR {p}.age_bracket <> '11-14'"
    " OR {p}.parental_consent_at IS NOT NULL))"
)
WRITINGS_COLUMNS = 'blocked_at, parental_consent_at, age_bracket'


def _writings_shown(row: str) -> str:
    return WRITINGS_SHOWN.format(p=row)


def _comment_moved(row: str, step: str, author_shown: str, condition: str = '') -> str:
    """The UPDATE that adds `step` to the counts of the comment `row` (OLD or NEW) on its action's row."""
    shown = f"{row}.deleted_at IS NULL AND {row}.hidden_at IS NULL AND {author_shown}"
    return (
        f"UPDATE action_tallies SET comments_shown = comments_shown + CASE WHEN {shown} THEN {step} ELSE 0 END,"
        f" comment_threads = comment_threads + CASE WHEN {row}.parent_id IS NULL THEN {step} ELSE 0 END"
        f" WHERE action_id = {row}.action_id{condition}"
    )


def _author_moved(person: str, step: str) -> str:
    """The UPDATE that adds `step` times each of the person's comments neither deleted nor hidden."""
    return (
        f"UPDATE action_tallies SET comments_shown = comments_shown + {step} * (SELECT count(*) FROM comments"
        f" WHERE comments.author_id = {person}.id AND comments.action_id = action_tallies.action_id"
        " AND comments.deleted_at IS NULL AND comments.hidden_at IS NULL)"
        f" WHERE action_id IN (SELECT action_id FROM comments WHERE author_id = {person}.id)"
    )


COMMENT_CHANGED = " OR ".join(
    f"OLD.{column} IS DISTINCT FROM NEW.{column}"
    for column in ('action_id', 'author_id', 'parent_id', 'deleted_at', 'hidden_at')
)
COMMENT_COLUMNS = 'action_id, author_id, parent_id, deleted_at, hidden_at'
# +1 when the author's writings start being shown, -1 when they stop.
SHOWING_STEP = f"CASE WHEN {_writings_shown('NEW')} THEN 1 ELSE -1 END"

COMMENT_FIELDS = ('author_id', 'action_id', 'parent_id', 'deleted_at', 'hidden_at')


def _comments_changed(changes: str, locked: str) -> str:
    """The body of a Postgres statement trigger: the comments `changes` (author_id, action_id, parent_id,
    deleted_at, hidden_at, step) added by action in one UPDATE, their authors read with a share lock and the
    actions' rows locked in the order of their ids first (`locked`: those comments), as the votes' triggers do."""
    shown = f"c.deleted_at IS NULL AND c.hidden_at IS NULL AND (participants.id IS NULL OR {_writings_shown('participants')})"
    return (
        "BEGIN"
        f" PERFORM 1 FROM participants WHERE id IN (SELECT author_id FROM {locked}) ORDER BY id FOR SHARE;"
        f" PERFORM 1 FROM action_tallies WHERE action_id IN (SELECT action_id FROM {locked}) ORDER BY action_id"
        " FOR UPDATE;"
        " UPDATE action_tallies SET comments_shown = action_tallies.comments_shown + d.shown,"
        " comment_threads = action_tallies.comment_threads + d.threads"
        f" FROM (SELECT c.action_id, sum(CASE WHEN {shown} THEN c.step ELSE 0 END) AS shown,"
        " sum(CASE WHEN c.parent_id IS NULL THEN c.step ELSE 0 END) AS threads"
        f" FROM ({changes}) c LEFT JOIN participants ON participants.id = c.author_id GROUP BY c.action_id) d"
        " WHERE action_tallies.action_id = d.action_id;"
        " RETURN NULL; END"
    )


def _rows(table: str, step: str) -> str:
    return f"SELECT {', '.join(f'{table}.{field}' for field in COMMENT_FIELDS)}, {step} AS step"


# The comments an UPDATE changed in what is counted, as they were and as they are.
_CHANGED = " FROM old_comments o JOIN new_comments n ON n.id = o.id WHERE " + " OR ".join(
    f"o.{field} IS DISTINCT FROM n.{field}" for field in COMMENT_FIELDS
)
UPDATED_COMMENTS = _rows('o', '-1') + _CHANGED + ' UNION ALL ' + _rows('n', '1') + _CHANGED
BEFORE_AND_AFTER = f"(SELECT o.author_id, o.action_id{_CHANGED} UNION SELECT n.author_id, n.action_id{_CHANGED}) v"

# One trigger per statement, as for the votes (migration 5e1f0c7a9d24 says why).
POSTGRES = (
    "CREATE FUNCTION comments_inserted_tallied() RETURNS trigger LANGUAGE plpgsql AS $$"
    f" {_comments_changed(_rows('new_comments', '1') + ' FROM new_comments', 'new_comments')} $$",
    "CREATE TRIGGER comments_inserted_tallied AFTER INSERT ON comments REFERENCING NEW TABLE AS new_comments"
    " FOR EACH STATEMENT EXECUTE FUNCTION comments_inserted_tallied()",
    "CREATE FUNCTION comments_deleted_tallied() RETURNS trigger LANGUAGE plpgsql AS $$"
    f" {_comments_changed(_rows('old_comments', '-1') + ' FROM old_comments', 'old_comments')} $$",
    "CREATE TRIGGER comments_deleted_tallied AFTER DELETE ON comments REFERENCING OLD TABLE AS old_comments"
    " FOR EACH STATEMENT EXECUTE FUNCTION comments_deleted_tallied()",
    "CREATE FUNCTION comments_updated_tallied() RETURNS trigger LANGUAGE plpgsql AS $$"
    f" {_comments_changed(UPDATED_COMMENTS, BEFORE_AND_AFTER)} $$",
    "CREATE TRIGGER comments_updated_tallied AFTER UPDATE ON comments"
    " REFERENCING OLD TABLE AS old_comments NEW TABLE AS new_comments"
    " FOR EACH STATEMENT EXECUTE FUNCTION comments_updated_tallied()",
    "CREATE FUNCTION author_tallied() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " IF TG_OP = 'DELETE' THEN"
    f"   {_author_moved('OLD', '1')}; RETURN OLD;"
    " END IF;"
    f" {_author_moved('NEW', SHOWING_STEP)}; RETURN NULL; END $$",
    f"CREATE TRIGGER author_tallied_again AFTER UPDATE OF {WRITINGS_COLUMNS} ON participants FOR EACH ROW"
    f" WHEN ({_writings_shown('OLD')} IS DISTINCT FROM {_writings_shown('NEW')}) EXECUTE FUNCTION author_tallied()",
    f"CREATE TRIGGER author_untallied BEFORE DELETE ON participants FOR EACH ROW WHEN (NOT {_writings_shown('OLD')})"
    " EXECUTE FUNCTION author_tallied()",
)


def _author_shown(row: str) -> str:
    """On SQLite: whether the comment's author's writings are shown (true without an author)."""
    return f"coalesce((SELECT {_writings_shown('participants')} FROM participants WHERE id = {row}.author_id), 1)"


SQLITE = (
    f"CREATE TRIGGER comment_tallied AFTER INSERT ON comments BEGIN {_comment_moved('NEW', '1', _author_shown('NEW'))}; END",
    "CREATE TRIGGER comment_untallied AFTER DELETE ON comments"
    f" BEGIN {_comment_moved('OLD', '-1', _author_shown('OLD'))}; END",
    f"CREATE TRIGGER comment_tallied_again AFTER UPDATE OF {COMMENT_COLUMNS} ON comments"
    f" WHEN {COMMENT_CHANGED.replace('IS DISTINCT FROM', 'IS NOT')}"
    f" BEGIN {_comment_moved('OLD', '-1', _author_shown('OLD'))}; {_comment_moved('NEW', '1', _author_shown('NEW'))}; END",
    f"CREATE TRIGGER author_tallied_again AFTER UPDATE OF {WRITINGS_COLUMNS} ON participants"
    f" WHEN {_writings_shown('OLD')} IS NOT {_writings_shown('NEW')}"
    f" BEGIN {_author_moved('NEW', SHOWING_STEP)}; END",
    f"CREATE TRIGGER author_untallied BEFORE DELETE ON participants WHEN NOT {_writings_shown('OLD')}"
    f" BEGIN {_author_moved('OLD', '1')}; END",
)


def upgrade():
    # Not batch_alter_table: SQLite adds and drops a column in place, where rebuilding the table would break the
    # triggers that name it.
    op.add_column('action_tallies', sa.Column('comments_shown', sa.Integer(), server_default='0', nullable=False))
    op.add_column('action_tallies', sa.Column('comment_threads', sa.Integer(), server_default='0', nullable=False))
    shown = (
        "comments.deleted_at IS NULL AND comments.hidden_at IS NULL"
        f" AND (participants.id IS NULL OR {_writings_shown('participants')})"
    )
    op.execute(
        "UPDATE action_tallies SET"
        " comments_shown = (SELECT count(*) FROM comments LEFT JOIN participants ON participants.id = comments.author_id"
        f"   WHERE comments.action_id = action_tallies.action_id AND {shown}),"
        " comment_threads = (SELECT count(*) FROM comments"
        "   WHERE comments.action_id = action_tallies.action_id AND comments.parent_id IS NULL)"
    )
    for statement in POSTGRES if op.get_bind().dialect.name == 'postgresql' else SQLITE:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        functions = (
            ('author_tallied', 'participants', ('author_untallied', 'author_tallied_again')),
            ('comments_updated_tallied', 'comments', ('comments_updated_tallied',)),
            ('comments_deleted_tallied', 'comments', ('comments_deleted_tallied',)),
            ('comments_inserted_tallied', 'comments', ('comments_inserted_tallied',)),
        )
        for function, table, triggers in functions:
            for trigger in triggers:
                op.execute(f"DROP TRIGGER {trigger} ON {table}")
            op.execute(f"DROP FUNCTION {function}()")
    else:
        for trigger in ('author_untallied', 'author_tallied_again', 'comment_tallied_again', 'comment_untallied',
                        'comment_tallied'):
            op.execute(f"DROP TRIGGER {trigger}")
    op.drop_column('action_tallies', 'comment_threads')
    op.drop_column('action_tallies', 'comments_shown')
