"""CSV imports of customers and events: every bad row reported by line and field, good rows kept,
a dry run first, and a re-run of the same file changing nothing."""
