"""The domain: pure Python, no Qt, no torch, no database."""
