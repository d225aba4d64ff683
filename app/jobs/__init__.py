"""Background jobs in the database: ``runner`` (kinds, enqueue, claim, run, dispatch), ``cli`` (``flask jobs``)."""
