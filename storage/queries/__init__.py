"""Read queries, one module per subject; each takes a Session and returns records."""
