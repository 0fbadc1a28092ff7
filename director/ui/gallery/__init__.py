"""Reviewing takes: the gallery of a shot's takes, the single-take viewer and the side-by-side compare."""
