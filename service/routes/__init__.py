"""One router per resource: meta (health, readiness, themes), authorities, matches, suggestions."""
