"""Profile storage, one dependency direction (each module imports only those before it):

``sql`` (the SQL subset both backends speak), ``codec`` (Profile <-> JSON, search keys, key hashes) <-
``audit``, ``changes``, ``events``, ``trust``, ``web`` (records, tables, mixins) <- ``protocol`` (``ProfileStore``
and its records) ; ``rows`` (a profile as a table row) <- ``load`` (the catalogue load) <- ``base``
(``SQLStoreBase``, the SQL both backends share) <- ``sqlite`` / ``postgres`` (+ ``pg_schema``) <- ``backends``
(``open_store``). ``replication`` follows another store's change log.
"""
