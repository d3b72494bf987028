"""Use cases, one module per area, all reached through :class:`vod_core.Vod`."""
