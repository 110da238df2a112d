"""Benchmarks: `make bench` (python -m benchmarks.run) prints the figures table and writes
benchmarks/results.json; `make load` (python -m benchmarks.load) runs Locust against a URL."""
