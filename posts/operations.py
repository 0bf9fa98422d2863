"""Migration operations Quire's apps share."""

from django.db import migrations


class _DoneWhere:
    """An operation whose database change is made only on the databases `done_on()` accepts;
    the migration state changes everywhere."""

    def done_on(self, vendor: str) -> bool:
        raise NotImplementedError

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if self.done_on(schema_editor.connection.vendor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if self.done_on(schema_editor.connection.vendor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class AddIndexOnPostgreSQL(_DoneWhere, migrations.AddIndex):
    """AddIndex whose index is built on PostgreSQL only: for what SQLite cannot index (GIN, NULLS
    LAST) or does not need."""

    def done_on(self, vendor: str) -> bool:
        return vendor == "postgresql"


class AddFieldInPlaceOnSQLite(migrations.AddField):
    """AddField that SQLite does with ALTER TABLE ADD COLUMN, a constant default filling the
    rows: Django's own rebuilds the table with every index of the model's state, and one of
    posts_post's is PostgreSQL's only (see 0014), which SQLite cannot build."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.name)
        definition, params = schema_editor.column_sql(model, field, include_default=True)
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"ALTER TABLE {quote(model._meta.db_table)} ADD COLUMN {quote(field.column)} "
            f"{definition}",
            params,
        )


class AlterLengthExceptOnSQLite(_DoneWhere, migrations.AlterField):
    """AlterField of a text column's max_length, done everywhere but SQLite: SQLite does not
    enforce a length, and its table rebuild would try to build posts_post's PostgreSQL-only
    index (see 0014)."""

    def done_on(self, vendor: str) -> bool:
        return vendor != "sqlite"
