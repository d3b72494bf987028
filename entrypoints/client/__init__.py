"""A typed Python client of the service's HTTP API (API.md), used by the ``vod`` client commands and the tests."""

from entrypoints.client.api import ApiError, PlaySet, Video, VideoPage, VodClient
from entrypoints.client.settings import ClientSettings

__all__ = ["ApiError", "ClientSettings", "PlaySet", "Video", "VideoPage", "VodClient"]
