"""Stats: final buckets, counts per slice, agreement, intervals and their text."""
