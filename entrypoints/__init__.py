"""Entrypoints: the HTTP service, workers and the `vod` CLI, wired through one composition root."""
