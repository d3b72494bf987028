"""HLS playlists (RFC 8216) built from play sets alone: no file is read to answer a player.

Each packaged rendition is one fragmented MP4 addressed by byte ranges
(``EXT-X-MAP`` for its init section, ``EXT-X-BYTERANGE`` per fragment), so
every URI of a media playlist is the same file URL; the caller builds the
URLs (signed or not) and passes them in.

Play sets made before packaging existed (plain MP4, ``hls_index == ""``) are
left out of the playlists; their ``url`` still plays as one progressive file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fractions import Fraction

from vod_core.packaging import HlsIndex
from vod_core.play_set import PlaySet, PlaySetStatus
from vod_core.ports.links import MediaLinks
from vod_core.signing import UrlGrant

VERSION = 6
"""``EXT-X-MAP`` in a playlist that is not I-frames only needs version 6 (RFC 8216 §7);
byte ranges need 4 and decimal durations 3. Nothing here needs more."""
MEDIA_TYPE = "application/vnd.apple.mpegurl"
MASTER = "master"
"""The master playlist's name: ``/hls/<video id>/master.m3u8``."""


def has_hls(play_sets: Iterable[PlaySet]) -> bool:
    """Whether a master playlist lists something: a ready play set with an HLS index.

    The index is not parsed here (a page of videos would decode every one);
    the playlist route does, and leaves out an index it cannot read.
    """
    return any(p.status == PlaySetStatus.READY and p.hls_index for p in play_sets)


def master_url(video_id: str, play_sets: Iterable[PlaySet], links: MediaLinks, grant: UrlGrant | None) -> str:
    """A video's ``hls_url``: its master playlist's URL, or ``""`` while none of ``play_sets`` (all of its) is ready."""
    return links.playlist_url(video_id, MASTER, grant) if has_hls(play_sets) else ""


def hls_index(play_set: PlaySet) -> HlsIndex | None:
    """The packaging of a ready play set, or None (not ready, or a plain MP4 without index)."""
    if play_set.status != PlaySetStatus.READY:
        return None
    return HlsIndex.from_json(play_set.hls_index)


def variants(play_sets: Iterable[PlaySet]) -> list[tuple[PlaySet, HlsIndex]]:
    """The ready, packaged play sets with their index, lowest (peak bandwidth, then height) first."""
    found = [(p, index) for p in play_sets if (index := hls_index(p)) is not None]
    return sorted(found, key=lambda pair: (pair[1].peak_bandwidth, pair[0].video_height, pair[0].template_id))


def master_playlist(play_sets: Iterable[PlaySet], media_uri: Callable[[PlaySet], str]) -> str:
    """The multivariant playlist over the ready, packaged play sets; ``media_uri`` gives each one's playlist URI.

    With no such play set the playlist lists no variant: whether to serve it
    is the caller's choice.
    """
    lines = ["#EXTM3U", f"#EXT-X-VERSION:{VERSION}", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for play_set, index in variants(play_sets):
        attributes = [
            f"BANDWIDTH={index.peak_bandwidth}",
            f"AVERAGE-BANDWIDTH={index.average_bandwidth}",
            f"RESOLUTION={play_set.video_width}x{play_set.video_height}",
            f'CODECS="{index.codecs}"',
            f"FRAME-RATE={index.frame_rate:.3f}",
        ]
        lines += ["#EXT-X-STREAM-INF:" + ",".join(attributes), _uri(media_uri(play_set))]
    return "\n".join(lines) + "\n"


def media_playlist(index: HlsIndex, file_uri: str) -> str:
    """The VOD media playlist of one rendition: every segment a byte range of ``file_uri``."""
    uri = _uri(file_uri)
    lines = [
        "#EXTM3U",
        f"#EXT-X-VERSION:{VERSION}",
        f"#EXT-X-TARGETDURATION:{target_duration(index)}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        f'#EXT-X-MAP:URI="{uri}",BYTERANGE="{index.init_size}@0"',
    ]
    for fragment in index.fragments:
        lines += [
            f"#EXTINF:{_decimal(index.seconds(fragment))},",
            f"#EXT-X-BYTERANGE:{fragment.size}@{fragment.offset}",
            uri,
        ]
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def target_duration(index: HlsIndex) -> int:
    """Every ``EXTINF`` rounded to the nearest integer must not exceed it (RFC 8216 §4.3.3.1)."""
    return max(1, *(_round_half_up(index.seconds(f)) for f in index.fragments))


def _round_half_up(value: Fraction) -> int:
    return int((value + Fraction(1, 2)) // 1)


def _decimal(seconds: Fraction) -> str:
    return f"{float(seconds):.6f}"


def _uri(uri: str) -> str:
    """A URI fit for a playlist line and a quoted attribute."""
    if not uri or any(c in uri for c in '"\r\n'):
        raise ValueError(f"not usable as a playlist URI: {uri!r}")
    return uri
