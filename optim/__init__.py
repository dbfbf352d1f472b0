"""denpa.optim: optimizers and schedules (filled in by the optim issue)."""
