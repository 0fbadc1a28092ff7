"""Generation: model presets, the worker process that owns torch, and the runner that records jobs.

Importing this package (or presets, messages, client, runner) never imports torch; only the
worker process and functions that run inside it do.
"""
