"""The transcode ladder: one decode of the source feeding one encoder per rendition.

Blocking; the transcoder runs it in a worker process. The benchmark also
calls it directly, once with every rendition and once per rendition.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction

import av
from av.audio.frame import AudioFrame
from av.audio.stream import AudioStream
from av.container import InputContainer
from av.video.frame import PictureType, VideoFrame
from av.video.stream import VideoStream

from adapters.media.cmaf import NotFragmented, read_index
from adapters.media.frames import Rotator, clockwise_rotation, display_size, media_error, open_source
from adapters.media.keyframes import KeyframeGrid
from adapters.media.rung import EncoderSettings, Rung
from vod_core.ports.media import NotAVideo, Rendition, RenditionRequest, TranscodeCancelled, TranscodeFailed

log = logging.getLogger(__name__)

ProgressSink = Callable[[float], bool]
"""Told the fraction done after every picture (cheap checks only); returning False cancels."""

MAX_BAD_PACKETS = 100
"""Damaged packets skipped before the source counts as broken (players skip a few, too)."""


class _Timeline:
    """Makes video timestamps start at 0 and strictly increase (VFR kept, broken ones repaired)."""

    def __init__(self, origin_seconds: float) -> None:
        self.origin = origin_seconds
        self._last: int | None = None

    def video_pts(self, frame: VideoFrame) -> int:
        time_base = frame.time_base or Fraction(1, 90000)
        offset = round(self.origin / time_base)
        pts = frame.pts - offset if frame.pts is not None else None
        if pts is None or (self._last is not None and pts <= self._last):
            pts = 0 if self._last is None else self._last + 1
        self._last = max(pts, 0)
        return self._last

    def audio_pts(self, frame: AudioFrame) -> int | None:
        """Shifted pts, or None for audio before the start (dropped)."""
        if frame.pts is None or frame.time_base is None:
            return None
        pts = frame.pts - round(self.origin / frame.time_base)
        return pts if pts >= 0 else None


def _frames(container: InputContainer, streams: list[VideoStream | AudioStream]) -> Iterator[VideoFrame | AudioFrame]:
    """Decoded frames in file order, skipping (a bounded number of) damaged packets."""
    bad = 0
    for packet in container.demux(*streams):
        try:
            decoded = packet.decode()
        except av.InvalidDataError as exc:
            bad += 1
            if bad > MAX_BAD_PACKETS:
                raise TranscodeFailed(f"too many damaged packets in the source ({media_error(exc)})") from exc
            continue
        for frame in decoded:
            if isinstance(frame, VideoFrame | AudioFrame):
                yield frame


class _Ladder:
    """Decodes the source once and hands every picture and sound to each rung."""

    def __init__(
        self, container: InputContainer, requests: Sequence[RenditionRequest], settings: EncoderSettings
    ) -> None:
        self.container = container
        self.video = container.streams.video[0]
        self.video.thread_type = "AUTO"
        self.audio = container.streams.audio[0] if container.streams.audio else None
        self.requests = requests
        self.settings = settings
        self.duration = (container.duration or 0) / 1_000_000
        self.timeline = _Timeline(max(0.0, (container.start_time or 0) / 1_000_000))
        self.rungs: list[Rung] = []
        self.rotator: Rotator | None = None
        self.early_audio: list[AudioFrame] = []
        self.keyframes = KeyframeGrid() if settings.cmaf else None

    def run(self, on_progress: ProgressSink) -> None:
        done = 0.0
        streams: list[VideoStream | AudioStream] = [self.video] + ([self.audio] if self.audio else [])
        for frame in _frames(self.container, streams):
            if isinstance(frame, AudioFrame):
                self._audio(frame)
                continue
            self._video(frame)  # pts now set: the picture's time from the start
            if self.duration and frame.time_base and frame.pts is not None:
                done = max(done, min(1.0, float(frame.pts * frame.time_base) / self.duration))
            if not on_progress(done):
                raise TranscodeCancelled()
        if not self.rungs:
            raise TranscodeFailed("the source has no decodable picture")
        for rung in self.rungs:
            rung.finish()
        on_progress(1.0)

    def _start(self, first: VideoFrame) -> None:
        """Open every output once the first picture tells the real size and rotation."""
        rotation = clockwise_rotation(first, self.video)
        self.rotator = Rotator(first, rotation) if rotation else None
        size = display_size(first, rotation)
        time_base = first.time_base or Fraction(1, 90000)
        rate = self.video.guessed_rate or self.video.average_rate or Fraction(30)
        for request in self.requests:
            self.rungs.append(Rung(request, size, time_base, rate, self.audio, self.settings))

    def _video(self, frame: VideoFrame) -> None:
        if not self.rungs:
            self._start(frame)
            for early in self.early_audio:
                self._audio(early)
        frame.pts = self.timeline.video_pts(frame)
        upright = self.rotator.upright(frame) if self.rotator else frame
        # Decided once for every rung (the scalers keep pict_type). A decoded picture carries the
        # source's own type, which libx264 obeys: left there, an all-intra source (a lavfi pattern,
        # MJPEG, ProRes) gave all-intra renditions. So every type is set here.
        key = self.keyframes is not None and self.keyframes.starts_gop(frame.pts, frame.time_base or Fraction(1, 90000))
        upright.pict_type = PictureType.I if key else PictureType.NONE
        for rung in self.rungs:
            rung.put_video(upright)

    def _audio(self, frame: AudioFrame) -> None:
        if not self.rungs:
            self.early_audio.append(frame)
            return
        pts = self.timeline.audio_pts(frame)
        if pts is None:
            return
        frame.pts = pts
        for rung in self.rungs:
            rung.put_audio(frame)

    def abort(self) -> None:
        for rung in self.rungs:
            rung.abort()


def transcode_ladder(
    source_path: str,
    requests: Sequence[RenditionRequest],
    on_progress: ProgressSink,
    settings: EncoderSettings | None = None,
) -> list[Rendition]:
    """Blocking: every rendition from one decode; partial outputs are removed on any failure."""
    try:
        container, _ = open_source(source_path)
    except NotAVideo as exc:
        raise TranscodeFailed(str(exc)) from exc
    with container:
        settings = settings or EncoderSettings()
        ladder = _Ladder(container, requests, settings)
        try:
            ladder.run(on_progress)
            return [_rendition(rung, settings.cmaf) for rung in ladder.rungs]
        except (TranscodeCancelled, TranscodeFailed):
            ladder.abort()
            raise
        except Exception as exc:
            ladder.abort()
            log.exception("transcoding %s failed", source_path)  # the details stay in the log
            raise TranscodeFailed(f"unexpected error ({media_error(exc)})") from exc


def _rendition(rung: Rung, cmaf: bool) -> Rendition:
    """What the playlists and the play set need, read back from the finished file."""
    with av.open(rung.path) as output:
        duration_ms = int((output.duration or 0) // 1000)
    try:
        hls = read_index(rung.path) if cmaf else None
    except NotFragmented as exc:
        raise TranscodeFailed(f"the output is not the expected fragmented MP4: {exc}") from exc
    return Rendition(rung.path, rung.width, rung.height, duration_ms, os.path.getsize(rung.path), hls)
