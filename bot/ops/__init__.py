"""Running Siyu: Prometheus metrics, structured logs, the `siyu doctor` checks."""
