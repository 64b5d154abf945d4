"""Benchmarks (not tests): `make bench` prints one JSON object per benchmark, then a summary."""
