"""Review: one reviewer's queue, session, label writes, prefetch, hints and search."""
