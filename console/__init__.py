"""The application without Qt: domain rules, services, the command line. Never imports Qt."""
