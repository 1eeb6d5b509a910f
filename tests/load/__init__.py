"""The load harness (`make load`): many simulated workstations speaking the real sync protocol to one
throwaway PostgreSQL (through PgBouncer), measured; never part of `make test`."""
