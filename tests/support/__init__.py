"""What tests and benchmarks share: signed Slack requests, fake services, PostgreSQL, worker processes.

Nothing here is a test; ``bench/`` imports from this package and from no test module.
"""
