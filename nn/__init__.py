"""denpa.nn: modules, layers and losses (filled in by the nn issue)."""
