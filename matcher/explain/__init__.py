"""Explanations: the ranker's contributions as reasons, their sentences and wording, and the notices
of empty lists."""
