"""Profile storage: the ``ProfileStore`` protocol and its SQLite and PostgreSQL implementations, with the
mixins each backend shares (audit, trust, events, web, change log) and the catalogue load."""
