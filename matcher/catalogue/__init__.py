"""Building the catalogue of French and foreign local authorities from pinned open-data packages."""
