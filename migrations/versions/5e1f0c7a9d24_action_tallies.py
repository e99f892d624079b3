"""Each action's counted votes tallied by the database as they are written (`action_tallies`, kept by triggers), so
that a page reads an action's counts in one row however many votes it has. Filled from the votes already there.

A vote is tallied while its person's votes count (`Participant.votes_count`, written below as COUNTS): not blocked,
e-mail confirmed, not held for review, and a parent's consent before 15. The triggers, on Postgres and on SQLite
alike:
- a row per action as soon as the action exists;
- a vote inserted adds one to the column of its kind and value, a vote deleted takes one away (a withdrawal, an
  erasure, a cascade), a vote whose action, kind or value changes (a changed opinion, a merge) moves its one; the
  same vote sent again (the upsert rewrites the same value) changes nothing;
- a person whose votes start or stop counting (blocked, unblocked, e-mail confirmed, votes held or released,
  consent given) adds or takes away all their votes; a person deleted takes theirs away first.
On Postgres the votes' triggers run once per statement and add its votes by action (a trigger per row updated an
action's row once per vote, and a transaction writing many votes, a merge or the demo's, made that row's versions
pile up, each update slower than the last); they read the votes' people with a share lock, so that a vote and a
change of its person's state made at the same moment are tallied in one order or the other, never lost between
them, and lock the actions' rows in the order of their ids. SQLite, which updates a row in place, tallies row by
row.

Revoked batches of codes are not in the tallies: their people are few, and their votes are taken away when read
(voting.services.count_votes). A change of the rule in `Participant.votes_count` needs a migration that writes the
triggers again: tests/test_live_counts.py compares the tallies with a fresh count for every state the rule reads.
On SQLite, a later migration that rebuilds `votes`, `actions` or `participants` (batch_alter_table) drops these
triggers with the old table and must create them again.

Revision ID: 5e1f0c7a9d24
Revises: c4e7a2d9f15b
Create Date: 2026-12-07 17:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5e1f0c7a9d24'
down_revision = 'c4e7a2d9f15b'
branch_labels = None
depends_on = None

# (column, the votes it counts), as models.votes.tally_column names them.
COLUMNS = (
    ('supports', "kind = 'support'"),
    ('opinion_contre', "kind = 'opinion' AND value = -1"),
    ('opinion_mitige', "kind = 'opinion' AND value = 0"),
    ('opinion_pour', "kind = 'opinion' AND value = 1"),
    ('grade_a_rejeter', "kind = 'grade' AND value = 0"),
    ('grade_insuffisant', "kind = 'grade' AND value = 1"),
    ('grade_passable', "kind = 'grade' AND value = 2"),
    ('grade_assez_bien', "kind = 'grade' AND value = 3"),
    ('grade_bien', "kind = 'grade' AND value = 4"),
    ('grade_tres_bien', "kind = 'grade' AND value = 5"),
    ('grade_excellent', "kind = 'grade' AND value = 6"),
)
# Whether a person's votes count, `Participant.votes_count` in SQL; {p} is the row (OLD, NEW, a table's name).
COUNTS = (
    "({p}.blocked_at IS NULL AND {p}.email_confirmed_at IS NOT NULL AND {p}.votes_held_at IS NULL"
    " AND ({p}.age_bracket IS NULL OR {p}.age_bracket <> '11-14' OR {p}.parental_consent_at IS NOT NULL))"
)
COUNTED_COLUMNS = 'blocked_at, email_confirmed_at, votes_held_at, parental_consent_at, age_bracket'


def _of(votes: str, row: str) -> str:
    """A column's condition on the vote `row` (OLD, NEW, a table's name)."""
    return ' AND '.join(f'{row}.{part}' for part in votes.split(' AND '))


def _vote_moved(row: str, step: str, condition: str = '') -> str:
    """The UPDATE that adds `step` to the column counting the vote `row` (OLD or NEW) on its action's row."""
    assignments = ', '.join(
        f"{column} = {column} + CASE WHEN {_of(votes, row)} THEN {step} ELSE 0 END" for column, votes in COLUMNS
    )
    return f"UPDATE action_tallies SET {assignments} WHERE action_id = {row}.action_id{condition}"


def _person_moved(person: str, step: str) -> str:
    """The UPDATE that adds `step` times each of the person's votes to their actions' rows."""
    assignments = ', '.join(
        f"{column} = {column} + {step} * (SELECT count(*) FROM votes WHERE votes.participant_id = {person}.id"
        f" AND votes.action_id = action_tallies.action_id AND {_of(votes, 'votes')})"
        for column, votes in COLUMNS
    )
    return (
        f"UPDATE action_tallies SET {assignments}"
        f" WHERE action_id IN (SELECT action_id FROM votes WHERE participant_id = {person}.id)"
    )


def _counts(row: str) -> str:
    return COUNTS.format(p=row)


# +1 when the person's votes start counting, -1 when they stop.
COUNTING_STEP = f"CASE WHEN {_counts('NEW')} THEN 1 ELSE -1 END"

VOTE_CHANGED = "OLD.action_id IS DISTINCT FROM NEW.action_id OR OLD.kind IS DISTINCT FROM NEW.kind" \
    " OR OLD.value IS DISTINCT FROM NEW.value OR OLD.participant_id IS DISTINCT FROM NEW.participant_id"

VOTE_COLUMNS = ('participant_id', 'action_id', 'kind', 'value')


def _votes_changed(changes: str, locked: str) -> str:
    """The body of a Postgres statement trigger: the votes `changes` (participant_id, action_id, kind, value, step)
    of people whose votes count, added by action in one UPDATE. Their people are read with a share lock, and the
    actions' rows locked in the order of their ids first, as every writer does (`locked`: their votes)."""
    sums = ', '.join(f"sum(CASE WHEN {_of(votes, 'c')} THEN c.step ELSE 0 END) AS {column}" for column, votes in COLUMNS)
    assignments = ', '.join(f"{column} = action_tallies.{column} + d.{column}" for column, _votes in COLUMNS)
    return (
        "BEGIN"
        f" PERFORM 1 FROM participants WHERE id IN (SELECT participant_id FROM {locked}) ORDER BY id FOR SHARE;"
        f" PERFORM 1 FROM action_tallies WHERE action_id IN (SELECT action_id FROM {locked}) ORDER BY action_id"
        " FOR UPDATE;"
        f" UPDATE action_tallies SET {assignments} FROM (SELECT c.action_id, {sums} FROM ({changes}) c"
        f" JOIN participants ON participants.id = c.participant_id WHERE {_counts('participants')}"
        " GROUP BY c.action_id) d WHERE action_tallies.action_id = d.action_id;"
        " RETURN NULL; END"
    )


def _rows(table: str, step: str) -> str:
    return f"SELECT {', '.join(f'{table}.{column}' for column in VOTE_COLUMNS)}, {step} AS step"


# The votes an UPDATE changed (the same vote sent again changes nothing), as they were and as they are.
_MOVED = " FROM old_votes o JOIN new_votes n ON n.id = o.id WHERE " + " OR ".join(
    f"o.{column} IS DISTINCT FROM n.{column}" for column in VOTE_COLUMNS
)

UPDATED_VOTES = _rows('o', '-1') + _MOVED + ' UNION ALL ' + _rows('n', '1') + _MOVED
# Their people and actions, as they were and as they are: those the trigger locks.
BEFORE_AND_AFTER = (
    f"(SELECT o.participant_id, o.action_id{_MOVED} UNION SELECT n.participant_id, n.action_id{_MOVED}) v"
)

# On Postgres, one trigger per statement, which adds its rows by action: a trigger per row updated an action's row
# once per vote, and a transaction writing many votes (a merge, the demo's votes) made that row's versions pile up,
# each update slower than the last.
POSTGRES = (
    "CREATE FUNCTION action_tally_created() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN INSERT INTO action_tallies (action_id) VALUES (NEW.id); RETURN NULL; END $$",
    "CREATE TRIGGER action_tally_created AFTER INSERT ON actions FOR EACH ROW EXECUTE FUNCTION action_tally_created()",
    "CREATE FUNCTION votes_inserted_tallied() RETURNS trigger LANGUAGE plpgsql AS $$"
    f" {_votes_changed(_rows('new_votes', '1') + ' FROM new_votes', 'new_votes')} $$",
    "CREATE TRIGGER votes_inserted_tallied AFTER INSERT ON votes REFERENCING NEW TABLE AS new_votes"
    " FOR EACH STATEMENT EXECUTE FUNCTION votes_inserted_tallied()",
    "CREATE FUNCTION votes_deleted_tallied() RETURNS trigger LANGUAGE plpgsql AS $$"
    f" {_votes_changed(_rows('old_votes', '-1') + ' FROM old_votes', 'old_votes')} $$",
    "CREATE TRIGGER votes_deleted_tallied AFTER DELETE ON votes REFERENCING OLD TABLE AS old_votes"
    " FOR EACH STATEMENT EXECUTE FUNCTION votes_deleted_tallied()",
    "CREATE FUNCTION votes_updated_tallied() RETURNS trigger LANGUAGE plpgsql AS $$"
    f" {_votes_changed(UPDATED_VOTES, BEFORE_AND_AFTER)} $$",
    "CREATE TRIGGER votes_updated_tallied AFTER UPDATE ON votes REFERENCING OLD TABLE AS old_votes NEW TABLE AS new_votes"
    " FOR EACH STATEMENT EXECUTE FUNCTION votes_updated_tallied()",
    "CREATE FUNCTION person_tallied() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " IF TG_OP = 'DELETE' THEN"
    f"   {_person_moved('OLD', '-1')}; RETURN OLD;"
    " END IF;"
    f" {_person_moved('NEW', COUNTING_STEP)}; RETURN NULL; END $$",
    f"CREATE TRIGGER person_tallied_again AFTER UPDATE OF {COUNTED_COLUMNS} ON participants FOR EACH ROW"
    f" WHEN ({_counts('OLD')} IS DISTINCT FROM {_counts('NEW')}) EXECUTE FUNCTION person_tallied()",
    f"CREATE TRIGGER person_untallied BEFORE DELETE ON participants FOR EACH ROW WHEN ({_counts('OLD')})"
    " EXECUTE FUNCTION person_tallied()",
)


def _voter_counts(row: str) -> str:
    return f"(SELECT {_counts('participants')} FROM participants WHERE id = {row}.participant_id)"


SQLITE = (
    "CREATE TRIGGER action_tally_created AFTER INSERT ON actions"
    " BEGIN INSERT INTO action_tallies (action_id) VALUES (NEW.id); END",
    f"CREATE TRIGGER vote_tallied AFTER INSERT ON votes WHEN {_voter_counts('NEW')}"
    f" BEGIN {_vote_moved('NEW', '1')}; END",
    f"CREATE TRIGGER vote_untallied AFTER DELETE ON votes WHEN {_voter_counts('OLD')}"
    f" BEGIN {_vote_moved('OLD', '-1')}; END",
    "CREATE TRIGGER vote_tallied_again AFTER UPDATE OF participant_id, action_id, kind, value ON votes"
    f" WHEN {VOTE_CHANGED.replace('IS DISTINCT FROM', 'IS NOT')}"
    f" BEGIN {_vote_moved('OLD', '-1', ' AND ' + _voter_counts('OLD'))};"
    f" {_vote_moved('NEW', '1', ' AND ' + _voter_counts('NEW'))}; END",
    f"CREATE TRIGGER person_tallied_again AFTER UPDATE OF {COUNTED_COLUMNS} ON participants"
    f" WHEN {_counts('OLD')} IS NOT {_counts('NEW')}"
    f" BEGIN {_person_moved('NEW', COUNTING_STEP)}; END",
    f"CREATE TRIGGER person_untallied BEFORE DELETE ON participants WHEN {_counts('OLD')}"
    f" BEGIN {_person_moved('OLD', '-1')}; END",
)


def upgrade():
    op.create_table(
        'action_tallies',
        sa.Column('action_id', sa.Integer(), nullable=False),
        *(sa.Column(column, sa.Integer(), server_default='0', nullable=False) for column, _votes in COLUMNS),
        sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_tallies_action_id_actions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('action_id', name=op.f('pk_action_tallies')),
    )
    counted = ', '.join(
        f"coalesce(sum(CASE WHEN {_of(votes, 'votes')} AND {_counts('participants')} THEN 1 ELSE 0 END), 0)"
        for _column, votes in COLUMNS
    )
    op.execute(
        f"INSERT INTO action_tallies (action_id, {', '.join(column for column, _votes in COLUMNS)})"
        f" SELECT actions.id, {counted} FROM actions LEFT JOIN votes ON votes.action_id = actions.id"
        " LEFT JOIN participants ON participants.id = votes.participant_id GROUP BY actions.id"
    )
    for statement in POSTGRES if op.get_bind().dialect.name == 'postgresql' else SQLITE:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        functions = (
            ('person_tallied', 'participants', ('person_untallied', 'person_tallied_again')),
            ('votes_updated_tallied', 'votes', ('votes_updated_tallied',)),
            ('votes_deleted_tallied', 'votes', ('votes_deleted_tallied',)),
            ('votes_inserted_tallied', 'votes', ('votes_inserted_tallied',)),
            ('action_tally_created', 'actions', ('action_tally_created',)),
        )
        for function, table, triggers in functions:
            for trigger in triggers:
                op.execute(f"DROP TRIGGER {trigger} ON {table}")
            op.execute(f"DROP FUNCTION {function}()")
    else:
        for trigger in ('person_untallied', 'person_tallied_again', 'vote_tallied_again', 'vote_untallied',
                        'vote_tallied', 'action_tally_created'):
            op.execute(f"DROP TRIGGER {trigger}")
    op.drop_table('action_tallies')
