"""twinmatch core library: profiles, catalogue, encoding, features, ranking and explanations.

Nothing in this package imports FastAPI; the HTTP edge lives in ``service``.
"""

__version__ = "0.1.0"
