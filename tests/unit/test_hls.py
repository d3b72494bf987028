"""HLS playlists and the packaging index they are built from (pure functions, no media)."""

from __future__ import annotations

import itertools
import math
import re
from datetime import UTC, datetime
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vod_core import hls
from vod_core.packaging import Fragment, HlsIndex
from vod_core.play_set import PlaySet, PlaySetStatus

T0 = datetime(2026, 1, 1, tzinfo=UTC)
URI = "https://cdn.example/files/abc?expires=1&signature=ff"


@st.composite
def indexes(draw: st.DrawFn) -> HlsIndex:
    """Contiguous fragments after an init section, maybe a gap (a sidx) between the two."""
    init_size = draw(st.integers(1, 5000))
    offset = init_size + draw(st.integers(0, 200))
    timescale = draw(st.sampled_from([1000, 12288, 15360, 90000]))
    fragments = []
    for size, duration in draw(st.lists(st.tuples(st.integers(1, 10**7), st.integers(1, 10 * timescale)), min_size=1)):
        fragments.append(Fragment(offset, size, duration))
        offset += size
    frame_rate = draw(st.sampled_from([23.976, 24.0, 29.97, 30.0, 60.0]))
    return HlsIndex(init_size, timescale, tuple(fragments), "avc1.64001f,mp4a.40.2", frame_rate)


def play_set(template: int, index: HlsIndex | None, status: PlaySetStatus = PlaySetStatus.READY, **kw: int) -> PlaySet:
    return PlaySet(
        f"p{template}", "v1", "u1", template, f"{template}P", T0, T0, status=status,
        hls_index=index.to_json() if index else "", **kw,
    )  # fmt: skip


def simple_index(sizes: list[int], duration: int = 2000, init_size: int = 800) -> HlsIndex:
    fragments, offset = [], init_size
    for size in sizes:
        fragments.append(Fragment(offset, size, duration))
        offset += size
    return HlsIndex(init_size, 1000, tuple(fragments), "avc1.64001e,mp4a.40.2", 30.0)


def tags(text: str, name: str) -> list[str]:
    return [line.split(":", 1)[1] if ":" in line else "" for line in text.splitlines() if line.split(":")[0] == name]


@given(indexes())
def test_the_index_survives_its_json_text(index: HlsIndex) -> None:
    assert HlsIndex.from_json(index.to_json()) == index


@given(indexes())
def test_a_media_playlist_addresses_contiguous_byte_ranges_up_to_the_end_and_sums_to_the_duration(
    index: HlsIndex,
) -> None:
    text = hls.media_playlist(index, URI)

    lines = text.splitlines()
    assert lines[0] == "#EXTM3U"
    assert lines[-1] == "#EXT-X-ENDLIST"
    assert tags(text, "#EXT-X-MAP") == [f'URI="{URI}",BYTERANGE="{index.init_size}@0"']
    ranges = [tuple(int(x) for x in value.split("@")) for value in tags(text, "#EXT-X-BYTERANGE")]
    assert ranges[0][1] >= index.init_size
    for (size, offset), (_, following) in itertools.pairwise(ranges):
        assert offset + size == following  # contiguous
    assert ranges[-1][1] + ranges[-1][0] == index.media_end  # the last byte of the file
    durations = [float(value.rstrip(",")) for value in tags(text, "#EXTINF")]
    assert len(durations) == len(ranges) == len(index.fragments)
    assert math.fsum(durations) == pytest.approx(float(index.duration), abs=1e-6 * len(durations))
    (target,) = tags(text, "#EXT-X-TARGETDURATION")
    assert all(math.floor(d + 0.5) <= int(target) for d in durations)  # RFC 8216 §4.3.3.1
    assert int(target) <= max(1, math.ceil(max(durations)))
    segment_uris = [line for line in lines if not line.startswith("#")]
    assert segment_uris == [URI] * len(ranges)


def test_a_media_playlist_declares_vod_version_6_and_independent_segments() -> None:
    text = hls.media_playlist(simple_index([1000, 3000, 500], duration=2002), URI)

    assert text == (
        "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
        "#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n"
        f'#EXT-X-MAP:URI="{URI}",BYTERANGE="800@0"\n'
        f"#EXTINF:2.002000,\n#EXT-X-BYTERANGE:1000@800\n{URI}\n"
        f"#EXTINF:2.002000,\n#EXT-X-BYTERANGE:3000@1800\n{URI}\n"
        f"#EXTINF:2.002000,\n#EXT-X-BYTERANGE:500@4800\n{URI}\n"
        "#EXT-X-ENDLIST\n"
    )


def test_bandwidth_is_measured_over_fragments_peak_and_average() -> None:
    index = simple_index([250_000, 1_000_000, 500_000])  # 2 s each: 1, 4 and 2 Mbit/s

    assert index.peak_bandwidth == 4_000_000
    assert index.average_bandwidth == 7_000_000 // 3 + 1  # rounded up
    assert index.duration == Fraction(6)


def test_the_master_lists_ready_packaged_play_sets_lowest_first_with_their_measured_attributes() -> None:
    small, large = simple_index([100_000, 100_000]), simple_index([900_000, 1_000_000])
    play_sets = [
        play_set(4, large, video_width=1920, video_height=1080),
        play_set(1, small, video_width=640, video_height=360),
        play_set(2, None, video_width=854, video_height=480),  # a plain MP4 made before packaging
        play_set(3, small, PlaySetStatus.TRANSCODING, video_width=1280, video_height=720),
    ]

    text = hls.master_playlist(play_sets, lambda p: f"{p.id}.m3u8?signature=1")

    assert text == (
        "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=400000,AVERAGE-BANDWIDTH=400000,RESOLUTION=640x360,"
        'CODECS="avc1.64001e,mp4a.40.2",FRAME-RATE=30.000\np1.m3u8?signature=1\n'
        "#EXT-X-STREAM-INF:BANDWIDTH=4000000,AVERAGE-BANDWIDTH=3800000,RESOLUTION=1920x1080,"
        'CODECS="avc1.64001e,mp4a.40.2",FRAME-RATE=30.000\np4.m3u8?signature=1\n'
    )


def test_a_video_with_no_packaged_play_set_has_a_master_without_variants() -> None:
    assert hls.variants([play_set(1, None)]) == []
    assert "#EXT-X-STREAM-INF" not in hls.master_playlist([play_set(1, None)], lambda p: p.id)


@given(st.lists(indexes(), min_size=1, max_size=6))
def test_variants_come_lowest_peak_bandwidth_first(found: list[HlsIndex]) -> None:
    play_sets = [play_set(i + 1, index, video_height=100 * i) for i, index in enumerate(found)]

    text = hls.master_playlist(play_sets, lambda p: p.id)

    peaks = [int(m) for m in re.findall(r"STREAM-INF:BANDWIDTH=(\d+)", text)]
    assert peaks == sorted(index.peak_bandwidth for index in found)


@pytest.mark.parametrize("uri", ["", 'a"b', "a\nb"])
def test_a_uri_that_would_break_the_playlist_is_refused(uri: str) -> None:
    with pytest.raises(ValueError, match="playlist URI"):
        hls.media_playlist(simple_index([10]), uri)


@pytest.mark.parametrize(
    ("init_size", "fragments"),
    [
        (0, [Fragment(10, 5, 1)]),
        (100, []),
        (100, [Fragment(50, 60, 1)]),  # overlaps the init section
        (100, [Fragment(100, 10, 1), Fragment(111, 10, 1)]),  # a hole between fragments
        (100, [Fragment(100, 10, 0)]),
    ],
)
def test_an_inconsistent_index_cannot_be_made(init_size: int, fragments: list[Fragment]) -> None:
    with pytest.raises(ValueError, match=r"init|fragment"):
        HlsIndex(init_size, 1000, tuple(fragments), "avc1.64001e", 30.0)


def test_a_plain_mp4_or_an_unknown_index_version_has_no_index() -> None:
    assert HlsIndex.from_json("") is None
    assert HlsIndex.from_json('{"version": 99}') is None
    assert hls.hls_index(play_set(1, None)) is None
    assert hls.hls_index(play_set(1, simple_index([10]), PlaySetStatus.DELETED)) is None
