"""Funding calls and consortia: which call or scheme can fund a partnership, and with whom.

``data`` reads and validates the files under ``data/funding/``; ``rules`` (pure) decides, for a French
authority, a partner, themes, a number of French co-applicants and a date, each call's status,
eligibility (true / false / unknown, with the rule that decided), co-financing cap and what is missing;
``consortia`` (pure) proposes French co-applicants for a foreign partner.
"""
