"""HLS playlists over HTTP (API.md C1): what they list, who may fetch them, the URIs inside, traffic.

The memory profile's fake media gives every rendition a fake (valid) HLS
index, so the playlists are real playlists of fake files.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from tests.http.conftest import BASE_URL, Api, Service, local, unsigned
from tests.support.media_urls import signed_query
from vod_core.hls import MEDIA_TYPE

STREAM_INF = re.compile(
    r"#EXT-X-STREAM-INF:BANDWIDTH=(\d+),AVERAGE-BANDWIDTH=(\d+),RESOLUTION=(\d+)x(\d+),"
    r'CODECS="([^"]+)",FRAME-RATE=([\d.]+)\n(\S+)'
)


async def video_json(api: Api, video_id: str) -> dict[str, Any]:
    response = await api.get("/video/api/get", id=video_id)
    assert response.status == 200, response.text
    video: dict[str, Any] = response.json["video"]
    return video


async def transcode(service: Service, video_id: str, *templates: int, redo: bool = False) -> None:
    for template in templates:
        body = {"task_config_temp_id": template, "redo": redo}
        response = await service.api.post("/video/api/trans", body, params={"id": video_id})
        assert response.status == 200, response.text


async def share(service: Service, video_id: str, state: int, password: str = "") -> None:
    body = {"shared_state": state, "password": password}
    response = await service.api.post("/video/api/set_video_password", body, params={"id": video_id})
    assert response.status == 200, response.text


async def packaged_video(service: Service, *templates: int) -> str:
    video_id = await service.ready_video()
    await transcode(service, video_id, *(templates or (1, 3)))
    await service.process()
    return video_id


def anonymous(service: Service) -> Api:
    return service.api.as_user(None)


def denied(response: Any) -> bool:
    return (response.status, response.json["errcode"]) == (403, 3108)


def variants(text: str) -> list[tuple[int, int, int, int, str, float, str]]:
    return [
        (int(b), int(a), int(w), int(h), codecs, float(rate), uri)
        for b, a, w, h, codecs, rate, uri in STREAM_INF.findall(text)
    ]


def uris(text: str) -> list[str]:
    """Every URI of a playlist: its URI lines and its quoted ``URI=`` attributes."""
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return lines + re.findall(r'URI="([^"]+)"', text)


async def test_hls_url_is_empty_until_a_packaged_play_set_is_ready(service: Service) -> None:
    video_id = await service.ready_video()
    assert (await video_json(service.api, video_id))["hls_url"] == ""
    await transcode(service, video_id, 1)
    assert (await video_json(service.api, video_id))["hls_url"] == ""  # transcoding, not ready
    await service.process()
    video = await video_json(service.api, video_id)
    url = video["hls_url"]
    assert urlsplit(url).path == f"/hls/{video_id}/master.m3u8" and url.startswith(BASE_URL)
    assert signed_query(url) == signed_query(video["origin_url"])  # the grant of the response
    listed = await service.api.get("/video/api/list")
    assert [v["hls_url"] for v in listed.json["videos"]] == [url]


async def test_the_master_lists_ready_renditions_lowest_first(service: Service) -> None:
    video_id = await packaged_video(service, 3, 1)
    video = await video_json(service.api, video_id)
    response = await anonymous(service).get(local(video["hls_url"]))
    assert response.status == 200, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    text = response.text
    assert text.startswith("#EXTM3U\n") and "#EXT-X-INDEPENDENT-SEGMENTS" in text
    found = variants(text)
    by_id = {p["play_set_id"]: p for p in video["play_set"]}
    assert len(found) == 2 == len(by_id)
    assert [v[0] for v in found] == sorted(v[0] for v in found)
    for bandwidth, average, width, height, codecs, rate, uri in found:
        assert 0 < average <= bandwidth and codecs == "avc1.64001f,mp4a.40.2" and rate > 0
        play_set_id = urlsplit(uri).path.removeprefix(f"/hls/{video_id}/").removesuffix("/media.m3u8")
        assert (width, height) == (by_id[play_set_id]["video_width"], by_id[play_set_id]["video_height"])


async def test_a_media_playlist_addresses_byte_ranges_of_the_rendition_file(service: Service) -> None:
    video_id = await packaged_video(service, 1)
    video = await video_json(service.api, video_id)
    (play_set,) = video["play_set"]
    master = (await anonymous(service).get(local(video["hls_url"]))).text
    ((*_, media_uri),) = variants(master)
    media = await anonymous(service).get(local(media_uri))
    assert media.status == 200 and media.headers["content-type"] == MEDIA_TYPE
    assert media.text.rstrip().endswith("#EXT-X-ENDLIST")
    # The rendition file itself, with the extension FFmpeg-based players need to accept a segment.
    assert {unsigned(u) for u in uris(media.text)} == {unsigned(play_set["url"]) + ".mp4"}
    ranges = [tuple(map(int, m)) for m in re.findall(r"#EXT-X-BYTERANGE:(\d+)@(\d+)", media.text)]
    (init_size,) = (int(m) for m in re.findall(r'BYTERANGE="(\d+)@0"', media.text))
    assert ranges[0][1] == init_size and ranges[-1][0] + ranges[-1][1] == play_set["file_size"]
    size, offset = ranges[1]
    segment = await anonymous(service).get(
        local(uris(media.text)[1]), headers={"Range": f"bytes={offset}-{offset + size - 1}"}
    )
    assert segment.status == 206 and len(segment.body) == size


async def test_every_uri_inside_carries_the_requests_signature(service: Service) -> None:
    video_id = await packaged_video(service)
    url = (await video_json(service.api, video_id))["hls_url"]
    query = signed_query(url)
    master = (await anonymous(service).get(local(url))).text
    media_uris = [v[-1] for v in variants(master)]
    assert media_uris and all(signed_query(u) == query for u in media_uris)
    for media_uri in media_uris:
        media = (await anonymous(service).get(local(media_uri))).text
        assert all(signed_query(u) == query for u in uris(media))
        for uri in set(uris(media)):
            assert (await anonymous(service).get(local(uri), headers={"Range": "bytes=0-99"})).status == 206


async def test_a_public_videos_unsigned_playlists_hold_unsigned_uris(service: Service) -> None:
    video_id = await packaged_video(service)
    await share(service, video_id, 2)
    master_url = unsigned((await video_json(service.api, video_id))["hls_url"])
    master = await anonymous(service).get(local(master_url))
    assert master.status == 200 and master.headers["cache-control"] == "no-cache"
    for *_, media_uri in variants(master.text):
        assert "?" not in media_uri
        media = await anonymous(service).get(local(media_uri))
        assert media.status == 200 and all("?" not in u for u in uris(media.text))
    await share(service, video_id, 0)  # refused at once, and so are the URIs it listed
    assert denied(await anonymous(service).get(local(master_url)))
    assert denied(await anonymous(service).get(local(variants(master.text)[0][-1])))


async def test_a_private_video_needs_a_valid_signature(service: Service) -> None:
    video_id = await packaged_video(service)
    url = local((await video_json(service.api, video_id))["hls_url"])
    path, _, query = url.partition("?")
    expires, signature = (part.split("=")[1] for part in query.split("&"))
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    ok = await anonymous(service).get(url)
    assert ok.status == 200 and ok.headers["cache-control"] == "private, no-cache"
    for refused in (
        path,
        f"{path}?expires={int(expires) + 60}&signature={signature}",
        f"{path}?expires={expires}&signature={flipped}",
        f"{path}?expires={expires}",
        f"{path}?expires={expires}&signature=",
    ):
        assert denied(await anonymous(service).get(refused)), refused
    assert denied(await service.api.get(path))  # the owner's key is no signature
    for *_, media_uri in variants(ok.text):
        assert denied(await anonymous(service).get(local(unsigned(media_uri))))
    await share(service, video_id, 1, "pw")
    assert denied(await anonymous(service).get(path)) and (await anonymous(service).get(url)).status == 200


async def test_an_expired_or_another_videos_signature_is_refused(service: Service) -> None:
    mine, other = await packaged_video(service, 1), await packaged_video(service, 1)
    my_url = local((await video_json(service.api, mine))["hls_url"])
    other_query = (await video_json(service.api, other))["hls_url"].partition("?")[2]
    assert denied(await anonymous(service).get(f"{my_url.partition('?')[0]}?{other_query}"))
    other_master = (await anonymous(service).get(local((await video_json(service.api, other))["hls_url"]))).text
    other_media = local(unsigned(variants(other_master)[0][-1]))
    assert denied(await anonymous(service).get(f"{other_media}?{my_url.partition('?')[2]}"))
    service.clock.advance(timedelta(seconds=service.vod.ctx.url_ttl_s + 1))
    assert denied(await anonymous(service).get(my_url))


async def test_play_sets_appear_and_disappear_at_once_and_a_deleted_video_is_404(service: Service) -> None:
    video_id = await packaged_video(service, 1)
    await share(service, video_id, 2)
    master_path = f"/hls/{video_id}/master.m3u8"
    (first,) = variants((await anonymous(service).get(master_path)).text)
    await transcode(service, video_id, 3)
    await service.process()
    assert len(variants((await anonymous(service).get(master_path)).text)) == 2
    await transcode(service, video_id, 1, redo=True)  # the old 360P play set is deleted at once
    (left,) = variants((await anonymous(service).get(master_path)).text)
    assert left[-1] != first[-1]
    gone = await anonymous(service).get(local(first[-1]))
    assert (gone.status, gone.json["errcode"]) == (404, 3102)
    response = await service.api.post("/video/api/delete", params={"id": video_id})
    assert response.status == 200, response.text
    for path in (master_path, local(left[-1])):
        response = await anonymous(service).get(path)
        assert (response.status, response.json["errcode"]) == (404, 3102)


async def test_no_master_playlist_without_a_ready_rendition_and_unknown_ids_are_404(service: Service) -> None:
    video_id = await service.ready_video()
    await share(service, video_id, 2)
    for path in (
        f"/hls/{video_id}/master.m3u8",
        f"/hls/{video_id}/nosuchplayset/media.m3u8",
        "/hls/nosuchvideo/master.m3u8",
        f"/hls/{'a' * 40}/master.m3u8",
    ):
        response = await anonymous(service).get(path)
        assert (response.status, response.json["errcode"]) == (404, 3102), path


async def test_cors_preflight_head_and_revalidation(service: Service) -> None:
    video_id = await packaged_video(service, 1)
    url = local((await video_json(service.api, video_id))["hls_url"])
    origin = {"Origin": "https://player.example", "Access-Control-Request-Method": "GET"}
    _, preflight = await service.api.client.options(url, headers=origin)
    assert preflight.status == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "GET" in preflight.headers["access-control-allow-methods"]
    got = await anonymous(service).get(url, headers={"Origin": "https://player.example"})
    assert got.headers["access-control-allow-origin"] == "*"
    assert got.headers["content-security-policy"].endswith("sandbox")
    head = await anonymous(service).head(url)
    assert head.status == 200 and head.body == b"" and int(head.headers["content-length"]) == len(got.body)
    again = await anonymous(service).get(url, headers={"If-None-Match": got.headers["etag"]})
    assert again.status == 304 and again.body == b""


async def test_playlist_and_segment_bytes_count_as_the_videos_traffic(service: Service) -> None:
    video_id = await packaged_video(service, 1)
    url = local((await video_json(service.api, video_id))["hls_url"])
    master = await anonymous(service).get(url)
    media = await anonymous(service).get(local(variants(master.text)[0][-1]))
    await anonymous(service).head(url)  # no body, no traffic
    await anonymous(service).get(url, headers={"If-None-Match": master.headers["etag"]})  # 304: no body either
    segment = await anonymous(service).get(local(uris(media.text)[0]), headers={"Range": "bytes=10-109"})
    assert segment.status == 206
    await service.traffic.wait_idle()
    total = await service.api.get("/video/api/get_user_video_total_summary")
    expected = len(master.body) + len(media.body) + 100
    assert total.json["user_video_total_summary"] == {"total_bytes": expected}
