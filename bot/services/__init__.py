"""Domain services: they take an injected session and own the logic views and jobs call."""
