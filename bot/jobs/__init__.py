"""Background work: the APScheduler clock, durable tasks, claims and named locks."""
