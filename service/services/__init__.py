"""The services layer: what the API's routes (``service.routes``) and the web pages (``service.web``)
both do, as plain functions over the store, the matcher and the caches. Both edges call it; neither calls
the other (a page never imports a route: ``tests/test_service_layers.py``). The computing itself is the
core's (``matcher``); a service checks who may do what, orchestrates the store and the matcher (a write
reaches both or neither), and returns core records, which each edge renders (JSON, HTML, files).

``authorities`` (read, register, edit, delete a profile; the write-through to the matcher), ``matches``
(the shortlist filters), ``trust`` (verifications and claims), ``staff`` (suggestions, decisions, the
journal), ``funding`` (the funding files), ``events`` and ``event_registry`` (participant files, plans,
calendars; the events' storage, caches and heavy-job limiter).

Nothing heavy is imported here: each module is imported on its own.
"""
