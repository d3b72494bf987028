"""Benchmark: templates 1–4 from one decode (our ladder) vs four separate passes, and what CMAF costs.

Open-source VOD servers (MediaCMS, PeerTube) run one FFmpeg job per
rendition, so the source is decoded once per rung. This makes a 1080p30
source with FFmpeg's ``testsrc2`` pattern and a tone, then times, in the
same run and with the same encoder settings (:class:`EncoderSettings`):

- ours: ``transcode_ladder`` with the four renditions at once, packaged as
  CMAF (fragmented MP4, keyframes on the 2 s grid, HLS index read back);
- without packaging: the same ladder writing the plain fast-start MP4 with
  x264's own keyframes it wrote before (``EncoderSettings(cmaf=False)``);
- baseline: ``transcode_ladder`` four times, one rendition each (packaged),
  unless ``--no-separate``.

Usage: ``.venv/bin/python -m bench.transcode [--seconds 30] [--repeat 1] [--no-separate]``
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import av
from av.audio.frame import AudioFrame
from av.filter import Graph

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.media.ladder import transcode_ladder
from adapters.media.rung import EncoderSettings
from vod_core.ports.media import RenditionRequest
from vod_core.templates import BUILTIN_TEMPLATES

LADDER = [BUILTIN_TEMPLATES[i] for i in (1, 2, 3, 4)]


def make_source(path: str, seconds: int, width: int = 1920, height: int = 1080, fps: int = 30) -> None:
    """A 1080p30 H.264 + AAC MP4 of ``testsrc2`` (moving, detailed) and a sine tone."""
    graph = Graph()
    graph.link_nodes(
        graph.add("testsrc2", f"size={width}x{height}:rate={fps}:duration={seconds}"),
        graph.add("format", "yuv420p"),
        graph.add("buffersink"),
    ).configure()
    with av.open(path, "w", container_options={"movflags": "+faststart"}) as out:
        video = out.add_stream("libx264", rate=fps, options={"preset": "veryfast", "crf": "20", "g": str(fps * 2)})
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        audio = out.add_stream("aac", rate=48000)
        while True:
            try:
                frame = graph.vpull()
            except (av.BlockingIOError, av.EOFError):
                break
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        _write_tone(out, audio, seconds)


def _write_tone(out: av.container.OutputContainer, audio: av.audio.stream.AudioStream, seconds: int) -> None:
    graph = Graph()
    graph.link_nodes(
        graph.add("sine", f"frequency=440:sample_rate=48000:duration={seconds}"),
        graph.add("abuffersink"),
    ).configure()
    while True:
        try:
            frame = graph.pull()
            assert isinstance(frame, AudioFrame)
        except (av.BlockingIOError, av.EOFError):
            break
        out.mux(audio.encode(frame))
    out.mux(audio.encode(None))


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of ``work`` (all its threads)."""
    wall, cpu = time.perf_counter(), _cpu_seconds()
    work()
    return time.perf_counter() - wall, _cpu_seconds() - cpu


def requests(work_dir: str, tag: str) -> list[RenditionRequest]:
    return [RenditionRequest(t, os.path.join(work_dir, f"{tag}-{t.resolution}.mp4")) for t in LADDER]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--threads-per-encoder", type=int, default=EncoderSettings().threads_per_encoder)
    parser.add_argument("--no-separate", action="store_true", help="skip the four separate passes")
    args = parser.parse_args()
    settings = EncoderSettings(threads_per_encoder=args.threads_per_encoder)
    plain = replace(settings, cmaf=False)

    def keep_going(_: float) -> bool:
        return True

    with tempfile.TemporaryDirectory(prefix="vod-bench-") as work:
        source = os.path.join(work, "source.mp4")
        wall, _ = timed(lambda: make_source(source, args.seconds))
        print(
            f"source: 1920x1080 30 fps, {args.seconds} s, {os.path.getsize(source) / 1e6:.1f} MB (made in {wall:.1f} s)"
        )
        print(
            f"cores: {os.cpu_count()}, x264 {settings.preset} CRF {settings.crf}, "
            f"{settings.threads_per_encoder} frame threads per encoder"
        )
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        for run in range(1, args.repeat + 1):
            unpackaged = timed(lambda: transcode_ladder(source, requests(work, "plain"), keep_going, plain))
            ours = timed(lambda: transcode_ladder(source, requests(work, "one"), keep_going, settings))
            print(f"run {run}:")
            _row("one decode, plain MP4", unpackaged, args.seconds)
            _row("one decode, CMAF", ours, args.seconds)
            print(
                f"  packaging costs       : {100 * (ours[0] / unpackaged[0] - 1):+5.1f}% wall, "
                f"{100 * (ours[1] / unpackaged[1] - 1):+5.1f}% CPU"
            )
            if not args.no_separate:
                separate = timed(
                    lambda: [transcode_ladder(source, [r], keep_going, settings) for r in requests(work, "sep")]
                )
                _row("four separate passes", separate, args.seconds)
                print(f"  ours faster by        : {separate[0] / ours[0]:.2f}x wall, {separate[1] / ours[1]:.2f}x CPU")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _row(label: str, measured: tuple[float, float], seconds: int) -> None:
    wall, cpu = measured
    print(f"  {label:<22}: {wall:6.1f} s wall  {cpu:6.1f} CPU-s  real-time factor {seconds / wall:.2f}x")


if __name__ == "__main__":
    main()
