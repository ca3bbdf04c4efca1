"""The tests' toolkit (no tests here; ``tests/`` is on ``sys.path``, so it is imported as ``support``).

* ``support.net``: ``free_port``, ``wait_until``, ``serve_in_thread``, ``wait_ready`` (the benchmarks use it too).
* ``support.rankers``: ``synthetic_ranker``, ``three_model_ranker``, ``MonotoneLists``.
* ``support.api``: the real app over the tiny world (``make_settings``, ``tiny_database``, ``A``, ``B``, ``bearer``,
  ``assert_error``, request bodies ``NEW``, ``CLAIM``, ``fake``, ``CSV_FILE``, ``upload``; fixtures ``ranker_file``,
  ``api``, the latter on SQLite and PostgreSQL in a module that sets ``API_BACKENDS``).
* ``support.web``: the server-rendered pages read and signed into (``check_html``, ``csrf``, ``page``, ``sign_in``).
* ``support.browser``: the app served for Chromium (fixtures ``live_app``, ``browser``, ``browser_phone``; the
  network guard; ``wait_for``, ``shot``, ``sign_in``…).
* ``support.pg``: a throw-away PostgreSQL server (fixture ``pg_server``).
* ``support.worlds``: the store tests' catalogue files, seven countries' languages, a seeded random world.

Two more helper modules (no tests either) stay beside the tests: ``profiles_fixture`` (the tiny world itself)
and ``xlsx_bomb`` (a huge spreadsheet, for the upload limits); ``crash_server.py`` is a script that test_crash runs.

The fixtures are registered for every test by ``tests/conftest.py`` (``pytest_plugins``): a test file imports
helpers from here, never from another test file or from ``conftest``; ``tests/test_toolkit.py`` checks it.
"""
