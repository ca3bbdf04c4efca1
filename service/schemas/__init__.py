"""Request and response models, one module per use (pydantic lives here and in the routes only; the core
sees ``Profile`` and its frozen dataclasses): ``common`` (bounds, field types and validators),
``authorities``, ``matching`` (matches, suggestions, decisions, health), ``events``, ``funding``,
``trust`` (verifications, claims, audit).

Request models forbid unknown fields (a typo is a 422 naming it, not a silent no-op) and take numbers
strictly (``"population": true`` is an error, not 1). Every text is checked for valid Unicode (a lone
surrogate could not be stored) and NUL characters, and is length-bounded. Theme values go through
``parse_theme`` (one code or label in six languages per item).
"""
