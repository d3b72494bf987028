"""Media adapters on PyAV (FFmpeg): probe, cover and the one-decode transcode ladder."""

from adapters.media.cover import PyAVThumbnailer
from adapters.media.probe import PyAVProber
from adapters.media.transcoder import PyAVTranscoder

__all__ = ["PyAVProber", "PyAVThumbnailer", "PyAVTranscoder"]
