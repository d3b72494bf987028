"""CMAF packaging on real media: aligned 2 s closed GOPs, an index that matches the boxes, playlists.

Every expectation here is read back from the files with PyAV or a box walk
of the test's own (tests/media/checks.py), never from the transcoder's index,
except where the index itself is under test and compared with those readings.
"""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import av
import m3u8
import pytest

from adapters.media.ladder import transcode_ladder
from adapters.media.rung import EncoderSettings
from tests.media.checks import box_layout, decode_all, nal_types, top_level_boxes
from tests.media.conftest import CLIPS
from tests.media.factory import frame_times
from vod_core import hls
from vod_core.packaging import HlsIndex
from vod_core.play_set import PlaySet, PlaySetStatus
from vod_core.ports.media import Rendition, RenditionRequest
from vod_core.templates import BUILTIN_TEMPLATES

pytestmark = pytest.mark.slow

LADDERS = ("long", "vfr", "scene_cut", "intra_only")
TEMPLATES = (1, 2, 5)
IDR = 5
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def ladders(clips: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Rendition]]:
    """Three rungs of each clip of LADDERS, from one decode each."""
    made = {}
    for name in LADDERS:
        folder = tmp_path_factory.mktemp(name)
        requests = [RenditionRequest(BUILTIN_TEMPLATES[t], str(folder / f"t{t}.mp4")) for t in TEMPLATES]
        made[name] = transcode_ladder(clips[name], requests, lambda _: True)
    return made


def grid_starts(times: list[Fraction]) -> list[float]:
    """The first source picture at or after 0, 2, 4, ... seconds."""
    starts: list[float] = []
    for t in times:
        if not starts or t >= 2 * (len(starts)):
            starts.append(float(t))
    return starts


def video_packets(path: str) -> list[av.Packet]:
    with av.open(path) as container:
        return [p for p in container.demux(video=0) if p.size]


@pytest.mark.parametrize("name", LADDERS)
def test_every_rung_starts_a_fragment_with_an_idr_frame_at_the_same_2_second_grid_times(
    ladders: dict[str, list[Rendition]], name: str
) -> None:
    expected = grid_starts(frame_times(CLIPS[name]))
    starts_per_rung = []
    for rendition in ladders[name]:
        packets = video_packets(rendition.output_path)
        keys = [p for p in packets if p.is_keyframe]
        starts_per_rung.append([round(float(p.pts * p.time_base), 3) for p in keys])
        moofs = [offset for kind, offset, _ in box_layout(rendition.output_path) if kind == "moof"]
        ends = [*moofs[1:], Path(rendition.output_path).stat().st_size]
        assert len(moofs) == len(keys)  # one fragment per GOP ...
        for key, start, end in zip(keys, moofs, ends, strict=True):
            assert start < key.pos < end  # ... and each keyframe lies in its own fragment
            assert IDR in nal_types(bytes(key))  # an IDR: nothing after it refers to an earlier picture
        last_key = None
        for packet in packets:  # decode order: no picture after a keyframe shows before it (closed GOP)
            last_key = packet.pts if packet.is_keyframe else last_key
            assert last_key is not None and packet.pts >= last_key
    assert starts_per_rung == [pytest.approx(expected, abs=0.001)] * len(TEMPLATES)
    assert len({tuple(starts) for starts in starts_per_rung}) == 1  # the same instants in every rung


@pytest.mark.parametrize("name", ["scene_cut", "intra_only"])
def test_neither_scene_cuts_nor_the_sources_keyframes_add_a_keyframe(
    ladders: dict[str, list[Rendition]], clips: dict[str, str], name: str
) -> None:
    # scene_cut: black, then a moving picture from 1.5 s on; intra_only: every source picture a keyframe
    source_keys = [p for p in video_packets(clips[name]) if p.is_keyframe]
    assert len(source_keys) == (1 if name == "scene_cut" else 72)
    for rendition in ladders[name]:
        keys = [p for p in video_packets(rendition.output_path) if p.is_keyframe]
        assert [round(float(p.pts * p.time_base), 3) for p in keys] == [0.0, 2.0]


@pytest.mark.parametrize("name", LADDERS)
def test_the_index_matches_the_boxes_the_keyframes_and_the_sps(ladders: dict[str, list[Rendition]], name: str) -> None:
    for rendition in ladders[name]:
        index = rendition.hls
        assert index is not None
        layout = box_layout(rendition.output_path)
        assert [kind for kind, _, _ in layout[:2]] == ["ftyp", "moov"]
        assert index.init_size == layout[1][1] + layout[1][2]  # the init section is ftyp + moov
        moofs = [offset for kind, offset, _ in layout if kind == "moof"]
        assert [f.offset for f in index.fragments] == moofs
        assert [f.end for f in index.fragments] == [*moofs[1:], rendition.file_size]
        keys = [p for p in video_packets(rendition.output_path) if p.is_keyframe]
        elapsed = [sum((index.seconds(f) for f in index.fragments[:i]), Fraction(0)) for i in range(len(keys))]
        assert [float(t) for t in elapsed] == pytest.approx([float(p.pts * p.time_base) for p in keys], abs=0.001)
        decoded = decode_all(rendition.output_path)
        assert float(index.duration) == pytest.approx(decoded.frame_times[-1], abs=0.2)
        with av.open(rendition.output_path) as container:
            video = container.streams.video[0]
            avcc = video.codec_context.extradata or b""
            sps = avcc[8 : 8 + int.from_bytes(avcc[6:8], "big")]  # the first SPS NAL unit of the avcC record
            assert sps[0] & 0x1F == 7
            assert video.codec_context.profile == "High"
            codecs = [f"avc1.{sps[1]:02x}{sps[2]:02x}{sps[3]:02x}"]
            if container.streams.audio:
                assert container.streams.audio[0].codec_context.profile == "LC"
                codecs.append("mp4a.40.2")
        assert index.codecs == ",".join(codecs)
        assert index.codecs.startswith("avc1.64")


def test_the_frame_rate_is_the_highest_of_any_fragment(ladders: dict[str, list[Rendition]]) -> None:
    assert {r.hls.frame_rate for r in ladders["long"] if r.hls} == {24.0}
    vfr = ladders["vfr"][0].hls
    assert vfr is not None
    packets = video_packets(ladders["vfr"][0].output_path)
    per_fragment = [
        sum(1 for p in packets if start <= p.pts * p.time_base < start + index_seconds) / index_seconds
        for start, index_seconds in _fragment_windows(vfr)
    ]
    assert vfr.frame_rate == pytest.approx(max(per_fragment), abs=0.001)
    assert vfr.frame_rate < 24


def _fragment_windows(index: HlsIndex) -> list[tuple[Fraction, Fraction]]:
    windows, start = [], Fraction(0)
    for fragment in index.fragments:
        windows.append((start, index.seconds(fragment)))
        start += index.seconds(fragment)
    return windows


def test_a_rendition_opens_seeks_to_a_gop_start_and_decodes_to_the_end_in_pyav(
    ladders: dict[str, list[Rendition]],
) -> None:
    """FFmpeg's demuxer lands on the GOP before the one holding the target when edit lists shift the
    tracks (it steps back one fragment of the ``sidx``); a player then decodes up to the target."""
    rendition = ladders["long"][0]
    for target in (4.5, 3.1, 5.9, 0.5):
        with av.open(rendition.output_path) as container:
            assert container.duration == pytest.approx(6_000_000, abs=60_000)
            container.seek(round(target * 1_000_000))
            times = [float(frame.time or 0) for frame in container.decode(video=0)]
        assert times[0] in (0.0, 2.0, 4.0)  # a GOP start ...
        assert 0 <= target - times[0] < 4.0  # ... at most one GOP before the target's
        assert times == pytest.approx([times[0] + i / 24 for i in range(len(times))], abs=0.002)
        assert times[-1] == pytest.approx(6.0 - 1 / 24, abs=0.002)  # then every picture to the end


def test_playlists_built_from_the_index_parse_and_address_exactly_the_boxes(
    ladders: dict[str, list[Rendition]],
) -> None:
    play_sets = [
        PlaySet(f"p{template}", "v1", "u1", template, BUILTIN_TEMPLATES[template].resolution, T0, T0,
                status=PlaySetStatus.READY, video_width=r.width, video_height=r.height,
                hls_index=r.hls.to_json() if r.hls else "")
        for template, r in zip(TEMPLATES, ladders["long"], strict=True)
    ]  # fmt: skip
    files = {p.id: r.output_path for p, r in zip(play_sets, ladders["long"], strict=True)}

    master = m3u8.loads(hls.master_playlist(reversed(play_sets), lambda p: f"{p.id}.m3u8"))

    assert master.is_variant
    variants = master.playlists
    assert [v.stream_info.bandwidth for v in variants] == sorted(v.stream_info.bandwidth for v in variants)
    assert sorted(v.uri for v in variants) == ["p1.m3u8", "p2.m3u8", "p5.m3u8"]
    for variant in variants:
        play_set = next(p for p in play_sets if f"{p.id}.m3u8" == variant.uri)
        index = HlsIndex.from_json(play_set.hls_index)
        assert index is not None
        info = variant.stream_info
        assert (info.bandwidth, info.average_bandwidth) == (index.peak_bandwidth, index.average_bandwidth)
        assert info.resolution == (play_set.video_width, play_set.video_height)
        assert info.codecs == index.codecs
        assert info.frame_rate == 24.0
        data = Path(files[play_set.id]).read_bytes()
        media = m3u8.loads(hls.media_playlist(index, "file.mp4"))
        assert (media.version, media.playlist_type, media.is_endlist, media.target_duration) == (6, "vod", True, 2)
        assert media.is_independent_segments
        init = media.segment_map[0]
        length, start = (int(x) for x in init.byterange.split("@"))
        assert (start, data[4:8]) == (0, b"ftyp")
        assert data[length + 4 : length + 8] in (b"sidx", b"moof")  # the init section ends where moov ends
        ranges = [tuple(int(x) for x in s.byterange.split("@")) for s in media.segments]
        for _, offset in ranges:
            assert data[offset + 4 : offset + 8] == b"moof"
        assert [offset for _, offset in ranges[1:]] == [offset + size for size, offset in ranges[:-1]]
        assert sum(size for size, _ in ranges) + ranges[0][1] == len(data)  # up to the last byte
        assert sum(s.duration for s in media.segments) == pytest.approx(float(index.duration), abs=1e-5)
        assert {s.uri for s in media.segments} == {"file.mp4"}


def test_the_baseline_without_packaging_is_the_plain_fast_start_mp4(clips: dict[str, str], tmp_path: Path) -> None:
    request = RenditionRequest(BUILTIN_TEMPLATES[1], str(tmp_path / "plain.mp4"))

    (rendition,) = transcode_ladder(clips["normal"], [request], lambda _: True, EncoderSettings(cmaf=False))

    assert rendition.hls is None
    boxes = top_level_boxes(rendition.output_path)
    assert "moof" not in boxes
    assert boxes.index("moov") < boxes.index("mdat")
