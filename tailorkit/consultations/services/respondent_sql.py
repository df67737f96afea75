"""The respondent's hot path in plain SQL: the one read that starts every respondent request and the
INSERTs of a submit, as statements prepared once per database connection.

Why here only: every respondent request starts with the consultation read and every submit ends with
two INSERTs, and Django compiles a queryset anew on each call (it keeps no compiled statements), and
even a raw queryset works out its columns, their converters and the model's field order on every
row. Profiled over a few thousand submits, that bookkeeping cost more CPU than the database work
itself. So the SQL, the columns' converters and the fields that prepare the values are worked out
once per connection (``_Plan``) and reused.

They are built from the models' metadata (tables, columns); values pass through each field's own
``get_db_prep_save`` and the backend's and fields' own converters, and rows come back as model
instances through ``Model.from_db``, so the models stay the one definition, on SQLite and PostgreSQL
alike. Statements still go through Django's cursor, so query logging, execute wrappers and the test
suite's query counts see them.
"""

import json
import uuid

from django.db import DEFAULT_DB_ALIAS, connections

from ..models import Consultation, Questionnaire, QuestionnaireVersion

VERSION_COLUMNS = ("id", "organisation_id", "questionnaire_id", "number", "snapshot")
_snapshots = {}  # (version id, snapshot text) -> parsed snapshot, per process; shared, never mutated
_plans = {}  # database vendor -> _Plan


class _Plan:
    """What the hot path's statements need, worked out once per database vendor. It holds nothing
    of the connection it was made with (converters of the backend are kept unbound and called with
    the connection of the request), so it can serve every thread and outlive any connection."""

    def __init__(self, conn):
        self.returning = conn.features.can_return_columns_from_insert
        quote = conn.ops.quote_name
        c, q, v = Consultation._meta, Questionnaire._meta, QuestionnaireVersion._meta
        fields = list(c.concrete_fields)
        self.attnames = tuple(f.attname for f in fields)
        columns = [f"c.{quote(f.column)}" for f in fields] + [f"v.{quote(name)}" for name in VERSION_COLUMNS]
        self.read_sql = (
            f"SELECT {', '.join(columns)} FROM {quote(c.db_table)} c "
            f"JOIN {quote(q.db_table)} q ON q.{quote(q.pk.column)} = c.{quote(c.get_field('questionnaire').column)} "
            f"LEFT JOIN {quote(v.db_table)} v ON v.{quote(v.pk.column)} = "
            f"q.{quote(q.get_field('current_version').column)} "
            f"WHERE c.{quote(c.get_field('uuid').column)} = %s")
        self.uuid_field = c.get_field("uuid")
        # The converters the ORM would apply to each consultation column (text to UUID, datetime,
        # bool and JSON on SQLite; JSON on PostgreSQL). The version's columns need none: ids and
        # number are integers, and the snapshot is parsed once per text (``parsed_snapshot``).
        self.converters = []
        for i, field in enumerate(fields):
            col = field.get_col(c.db_table)
            found = [(f.__func__, True) if getattr(f, "__self__", None) is conn.ops else (f, False)
                     for f in conn.ops.get_db_converters(col) + col.get_db_converters(conn)]
            if found:
                self.converters.append((i, found, col))
        self.inserts = {}

    def insert(self, conn, model, names, rows, returning):
        """``(sql, fields, returns_in_statement)`` for INSERTing ``rows`` rows of ``names``."""
        key = (model, names, rows, returning)
        if key not in self.inserts:
            quote, meta = conn.ops.quote_name, model._meta
            fields = tuple(meta.get_field(n) for n in names)
            row = f"({', '.join(['%s'] * len(names))})"
            sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
                   f"VALUES {', '.join([row] * rows)}")
            in_statement = returning and self.returning
            if in_statement:
                sql += f" RETURNING {quote(meta.pk.column)}"
            self.inserts[key] = (sql, fields, in_statement)
        return self.inserts[key]


def _plan(conn):
    plan = _plans.get(conn.vendor)
    if plan is None:
        plan = _plans[conn.vendor] = _Plan(conn)
    return plan


def parsed_snapshot(version_id, text):
    """The snapshot parsed once per text: a version is updated in place while nobody has answered
    it, so the text read on this request is part of the key, never the version id alone."""
    if not isinstance(text, str):
        return text
    key = (version_id, text)
    if key not in _snapshots:
        if len(_snapshots) >= 256:
            _snapshots.clear()
        _snapshots[key] = json.loads(text)
    return _snapshots[key]


def consultation_for_grant(consultation_uuid):
    """The consultation a grant names, with ``answering_version`` (its questionnaire's current
    version, None if it has none yet) set: one statement. None when there is no such consultation."""
    try:
        key = uuid.UUID(str(consultation_uuid))
    except ValueError:
        return None
    conn = connections[DEFAULT_DB_ALIAS]
    plan = _plan(conn)
    with conn.cursor() as cursor:
        cursor.execute(plan.read_sql, [plan.uuid_field.get_db_prep_value(key, conn)])
        row = cursor.fetchone()
    if row is None:
        return None
    n = len(plan.attnames)
    values, version = list(row[:n]), list(row[n:])
    ops = conn.ops
    for i, converters, col in plan.converters:
        value = values[i]
        for converter, of_backend in converters:
            value = converter(ops, value, col, conn) if of_backend else converter(value, col, conn)
        values[i] = value
    consultation = Consultation.from_db(conn.alias, plan.attnames, values)
    consultation.answering_version = None
    if version[0] is not None:
        version[-1] = parsed_snapshot(version[0], version[-1])
        consultation.answering_version = QuestionnaireVersion.from_db(conn.alias, VERSION_COLUMNS, version)
    return consultation


def insert_rows(model, names, rows, returning=False):
    """INSERT ``rows`` (tuples of values for the fields ``names``, a tuple) in one statement; the new
    primary key of the last row when ``returning``. Inside the caller's transaction."""
    conn = connections[DEFAULT_DB_ALIAS]
    sql, fields, in_statement = _plan(conn).insert(conn, model, names, len(rows), returning)
    params = [f.get_db_prep_save(value, conn) for row in rows for f, value in zip(fields, row, strict=True)]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        if in_statement:
            return cursor.fetchone()[0]
        if returning:
            return conn.ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column)
    return None
