"""Benchmarks: a data generator (`generate`) and an HTTP harness (`harness`); see docs/performance.md."""
