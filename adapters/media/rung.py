"""One rung of the ladder: a scaler, an H.264 encoder and an MP4 muxer on their own thread.

The decoding thread hands every upright frame to every rung; each rung
scales it with its own reformatter (a shared one would reconfigure on
every size change), encodes and muxes it. PyAV releases the GIL in scale,
encode and mux, so the rungs and the decoder overlap on all cores.
Audio is encoded on the decoding thread (it is cheap) and only its packets
cross over, so no codec context is ever touched by two threads.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from dataclasses import dataclass
from fractions import Fraction
from typing import Final, TypeAlias

import av
from av.audio.frame import AudioFrame
from av.audio.stream import AudioStream
from av.packet import Packet
from av.video.frame import VideoFrame
from av.video.reformatter import Interpolation, VideoReformatter

from adapters.media.keyframes import GOP_SECONDS
from vod_core.ports.media import RenditionRequest
from vod_core.templates import output_size

AAC_RATES: Final = frozenset({8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000})
QUEUE_DEPTH: Final = 8
"""Frames buffered per rung: enough to smooth the encoders' jitter, small enough for 4K memory."""

_END: Final = "end"
_ABORT: Final = "abort"
_Item: TypeAlias = "VideoFrame | Packet[AudioStream] | str"  # av.Packet is generic only in its stubs


@dataclass(frozen=True)
class EncoderSettings:
    """x264, AAC and container settings shared by every rung (and by the benchmark's baseline)."""

    preset: str = "veryfast"
    crf: int = 23
    threads_per_encoder: int = 2
    """x264 frame threads per encoder: several encoders run at once, so automatic counts oversubscribe."""
    cmaf: bool = True
    """Fragmented MP4 with keyframes on the ladder's grid (HLS and progressive); False writes a plain
    fast-start MP4 with x264's own keyframes (a GOP counted in frames, scene cuts): the benchmark's
    baseline without packaging."""


CMAF_MOVFLAGS: Final = "+frag_keyframe+empty_moov+default_base_moof+delay_moov+global_sidx+skip_trailer"
"""One fragment per GOP after an init section (``ftyp`` + ``moov``) at the front, so the same file
starts playing at once in a ``<video src>`` and serves HLS byte ranges. ``delay_moov`` writes the
``moov`` once the first packets are known, with the edit lists that make video and audio start at
0 (the B-frame delay, AAC priming), as FFmpeg's own HLS fMP4 muxer does; ``global_sidx`` indexes
every fragment up front, for seeking without reading each ``moof``; ``skip_trailer`` leaves out
the ``mfra`` that would only repeat it at the end."""
NO_SCENE_CUTS: Final = 1 << 30
"""x264 ``keyint`` ("infinite"): keyframes come only from the grid (:mod:`adapters.media.keyframes`)."""


class Rung:
    """Produces one rendition of an upright ``source_size`` picture; fed until :meth:`finish`."""

    def __init__(
        self,
        request: RenditionRequest,
        source_size: tuple[int, int],
        time_base: Fraction,
        rate: Fraction,
        audio: AudioStream | None,
        settings: EncoderSettings,
    ) -> None:
        self.path = request.output_path
        self.width, self.height = output_size(request.template, *source_size)
        movflags = CMAF_MOVFLAGS if settings.cmaf else "+faststart"
        self._container = av.open(self.path, "w", format="mp4", container_options={"movflags": movflags})
        self._video = self._container.add_stream("libx264", rate=rate, options=_x264_options(request, rate, settings))
        self._video.width, self._video.height = self.width, self.height
        self._video.pix_fmt = "yuv420p"
        self._video.time_base = time_base
        self._video.codec_context.time_base = time_base
        self._video.thread_type = "FRAME"
        self._video.thread_count = settings.threads_per_encoder
        self._audio = self._add_audio(audio, request.template.audio_bitrate_kbps) if audio else None
        self._scaler = VideoReformatter()
        self._queue: queue.Queue[_Item] = queue.Queue(maxsize=QUEUE_DEPTH)
        self._thread = threading.Thread(target=self._run, name=f"rung-{self.width}x{self.height}", daemon=True)
        self.error: BaseException | None = None
        self._thread.start()

    def _add_audio(self, source: AudioStream, kbps: int) -> AudioStream:
        rate = source.sample_rate if source.sample_rate in AAC_RATES else 48000
        stream = self._container.add_stream("aac", rate=rate)
        stream.layout = "mono" if source.channels == 1 else "stereo"
        stream.format = "fltp"
        stream.bit_rate = kbps * 1000
        stream.time_base = Fraction(1, rate)
        return stream

    def put_video(self, frame: VideoFrame) -> None:
        self._queue.put(frame)

    def put_audio(self, frame: AudioFrame | None) -> None:
        """Encode audio here (the decoding thread); ``None`` flushes the encoder."""
        if self._audio is not None:
            for packet in self._audio.encode(frame):
                self._queue.put(packet)

    def finish(self) -> None:
        """Flush and close the file; raises what went wrong on the rung's thread."""
        self.put_audio(None)
        self._queue.put(_END)
        self._thread.join()
        if self.error is not None:
            raise self.error

    def abort(self) -> None:
        """Stop without finishing and remove the partial file."""
        self._queue.put(_ABORT)
        self._thread.join()
        _remove(self.path)

    def _run(self) -> None:
        """Consume until END or ABORT; after a failure keep consuming so the decoder never blocks."""
        item: _Item = ""
        while item not in (_END, _ABORT):
            item = self._queue.get()
            if self.error is not None or item == _ABORT:
                continue
            try:
                if item == _END:
                    self._container.mux(self._video.encode(None))
                else:
                    self._mux(item)
            except BaseException as exc:  # reported by finish() on the decoding thread
                self.error = exc
        self._close()

    def _mux(self, item: _Item) -> None:
        """Scale with AREA (a box filter): the anti-aliasing a downscale needs, cheaper than bicubic."""
        if isinstance(item, VideoFrame):
            scaled = self._scaler.reformat(item, self.width, self.height, "yuv420p", interpolation=Interpolation.AREA)
            self._container.mux(self._video.encode(scaled))
        elif isinstance(item, Packet):
            self._container.mux(item)

    def _close(self) -> None:
        try:
            self._container.close()
        except av.FFmpegError as exc:
            self.error = self.error or exc


def _x264_options(request: RenditionRequest, rate: Fraction, settings: EncoderSettings) -> dict[str, str]:
    """With ``cmaf``: IDR frames exactly where the ladder's grid asks for them, nowhere else.

    Frames arrive with ``pict_type`` I on the grid and NONE elsewhere;
    ``forced-idr`` makes each forced keyframe an IDR (a closed GOP), scene
    cut detection is off and ``keyint`` is out of reach.
    """
    options = {"preset": settings.preset, "crf": str(settings.crf)}
    if settings.cmaf:
        options |= {"g": str(NO_SCENE_CUTS), "sc_threshold": "0", "forced-idr": "1", "x264-params": "open-gop=0"}
    else:
        options["g"] = str(max(1, round(float(rate) * GOP_SECONDS)))
    kbps = request.template.video_bitrate_kbps
    if kbps is not None:
        options |= {"maxrate": f"{kbps}k", "bufsize": f"{2 * kbps}k"}
    return options


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)
