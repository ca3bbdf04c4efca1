"""Ranking pairs: catalogue arrays, features, the learned ranker, the one scoring kernel and what
serves it (engine, suggestions, loading)."""
