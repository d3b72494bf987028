"""Implementations of the ``vod_core`` ports."""
