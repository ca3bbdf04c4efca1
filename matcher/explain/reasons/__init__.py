"""The sentences behind ``matcher.explain.contributions``: one module per concern.

``context`` holds ``ReasonContext``, the facts about a (query, candidate) pair a sentence may state;
``phrasing`` the shared French/English phrasing helpers (who "you" and "they" are, kilometres,
populations, shares); ``text_sentences``, ``place_sentences`` and ``history_sentences`` the sentences of
the text and theme features, of geography, size and level, and of the link history, each as a
``SENTENCES`` table (``history_sentences`` also ``LOW_SENTENCES``). ``matcher.explain.contributions`` assembles the
tables and turns contributions into reasons.
"""
