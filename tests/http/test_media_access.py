"""Who may fetch ``/files/...`` over HTTP (API.md C1) and how media responses behave.

Signed, unsigned, expired, altered and swapped URLs; public videos at
stable URLs that refuse at once when the video stops being public; deleted
videos; unlinked uploads (owner only, expiring); caching, conditional
requests, CORS and the types served inline.
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime
from typing import Any

from tests.http.conftest import START, Api, Service, local, unsigned

MEDIA_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"


async def video_json(service: Service, video_id: str, api: Api | None = None) -> dict[str, Any]:
    response = await (api or service.api).get("/video/api/get", id=video_id)
    assert response.status == 200, response.text
    video: dict[str, Any] = response.json["video"]
    return video


async def share(service: Service, video_id: str, state: int, password: str = "") -> None:
    body = {"shared_state": state, "password": password}
    response = await service.api.post("/video/api/set_video_password", body, params={"id": video_id})
    assert response.status == 200, response.text


def anonymous(service: Service) -> Api:
    return service.api.as_user(None)


def denied(response: Any) -> bool:
    return (response.status, response.json["errcode"]) == (403, 3108)


async def test_a_private_videos_signed_urls_work_for_anybody_and_unsigned_ones_are_refused(service: Service) -> None:
    video = await video_json(service, await service.ready_video())
    for url in (video["origin_url"], video["thumb_url"]):
        assert (await anonymous(service).get(local(url))).status == 200
        assert denied(await anonymous(service).get(local(unsigned(url))))
        assert denied(await service.api.get(local(unsigned(url))))  # the owner's key is no signature


async def test_an_expired_signature_is_refused(service: Service) -> None:
    video = await video_json(service, await service.ready_video())
    service.clock.advance(timedelta(seconds=service.vod.ctx.url_ttl_s + 1))
    assert denied(await anonymous(service).get(local(video["origin_url"])))


async def test_an_altered_signature_or_expiry_is_refused(service: Service) -> None:
    video_id = await service.ready_video()
    await share(service, video_id, 2)
    url = local((await video_json(service, video_id))["origin_url"])
    path, _, query = url.partition("?")
    expires, signature = (part.split("=")[1] for part in query.split("&"))
    later = str(int(expires) + 3600)
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    for altered in (
        f"{path}?expires={later}&signature={signature}",
        f"{path}?expires={expires}&signature={flipped}",
        f"{path}?expires={expires}",
        f"{path}?signature={signature}",
        f"{path}?expires={expires}&signature=",
    ):
        assert denied(await anonymous(service).get(altered)), altered


async def test_another_videos_signature_is_refused(service: Service) -> None:
    mine, other = await service.ready_video(), await service.ready_video()
    my_path = local(unsigned((await video_json(service, mine))["origin_url"]))
    other_query = (await video_json(service, other))["origin_url"].partition("?")[2]
    assert denied(await anonymous(service).get(f"{my_path}?{other_query}"))


async def test_a_public_video_works_unsigned_until_it_is_made_private(service: Service) -> None:
    video_id = await service.ready_video()
    await share(service, video_id, 2)
    stable = local(unsigned((await video_json(service, video_id))["origin_url"]))
    response = await anonymous(service).get(stable)
    assert response.status == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    await share(service, video_id, 0)
    assert denied(await anonymous(service).get(stable))
    await share(service, video_id, 1, "pw")
    assert denied(await anonymous(service).get(stable))


async def test_shared_videos_hand_out_signed_urls_that_work(service: Service) -> None:
    video_id = await service.ready_video()
    await share(service, video_id, 1, "pw")
    shared = await anonymous(service).get("/video/api/get_shared_video", id=video_id, password="pw")
    url = shared.json["video"]["origin_url"]
    assert "signature=" in url
    assert (await anonymous(service).get(local(url))).status == 200


async def test_a_deleted_videos_files_are_gone_at_once_even_with_a_signature(service: Service) -> None:
    video_id = await service.ready_video()
    video = await video_json(service, video_id)
    assert denied(await anonymous(service).get(local(unsigned(video["origin_url"]))))
    assert (await service.api.post("/video/api/delete", params={"id": video_id})).status == 200
    for url in (video["origin_url"], video["thumb_url"]):
        response = await anonymous(service).get(local(url))
        assert (response.status, response.json["errcode"]) == (404, 3102)


async def test_an_unlinked_upload_is_reachable_by_its_owner_with_the_key_only(service: Service) -> None:
    storage_id = await service.upload(data=b"0123456789", filename="a.mp4")
    bob = await service.new_user("bob")
    owner = await service.api.get(f"/files/{storage_id}")
    assert owner.status == 200 and owner.content == b"0123456789"
    assert owner.headers["cache-control"] == "private, no-store"
    for stranger in (anonymous(service), bob, service.api.as_user("not-a-key")):
        response = await stranger.get(f"/files/{storage_id}")
        assert (response.status, response.json["errcode"]) == (404, 3102)


async def test_unlinked_uploads_count_in_size_sum_and_expire(service: Service) -> None:
    kept = await service.upload(data=b"x" * 100, filename="kept.mp4")
    assert (await service.api.post("/video/api/create", {"storage_id": kept})).status == 200
    size_sum = (await service.api.get("/video/api/get_video_size_sum")).json["size_sum"]
    storage_id = await service.upload(data=b"y" * 7, filename="spare.mp4")
    assert (await service.api.get("/video/api/get_video_size_sum")).json["size_sum"] == size_sum + 7
    service.clock.advance(timedelta(seconds=service.vod.ctx.unlinked_ttl_s + 1))
    assert await service.vod.uploads.expire_unlinked() == 1
    assert await service.vod.uploads.expire_unlinked() == 0  # idempotent
    assert (await service.api.get(f"/files/{storage_id}")).status == 404
    assert (await service.api.get("/video/api/get_video_size_sum")).json["size_sum"] == size_sum
    assert not await service.vod.ctx.storage.exists(storage_id)
    create = await service.api.post("/video/api/create", {"storage_id": storage_id})
    assert (create.status, create.json["errcode"]) == (404, 3102)


async def test_a_signed_response_is_cached_privately_for_the_rest_of_its_lifetime(service: Service) -> None:
    video = await video_json(service, await service.ready_video())
    service.clock.advance(timedelta(seconds=600))
    response = await anonymous(service).get(local(video["origin_url"]))
    directive, _, max_age = response.headers["cache-control"].partition(", max-age=")
    assert directive == "private"
    assert service.vod.ctx.url_ttl_s - 610 <= int(max_age) <= service.vod.ctx.url_ttl_s - 600


async def test_conditional_requests_get_304(service: Service) -> None:
    video = await video_json(service, await service.ready_video())
    url = local(video["origin_url"])
    first = await anonymous(service).get(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    for headers in (
        {"If-None-Match": etag},
        {"If-None-Match": f'"other", W/{etag}'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": modified},
    ):
        response = await anonymous(service).get(url, headers=headers)
        assert (response.status, response.content) == (304, b""), headers
        assert response.headers["etag"] == etag
    assert (await anonymous(service).head(url, headers={"If-None-Match": etag})).status == 304
    earlier = format_datetime(START - timedelta(days=1), usegmt=True)
    for headers in ({"If-None-Match": '"other"'}, {"If-Modified-Since": earlier}, {"If-Modified-Since": "garbage"}):
        assert (await anonymous(service).get(url, headers=headers)).status == 200, headers


async def test_if_range_honours_the_range_only_while_the_validator_matches(service: Service) -> None:
    video = await video_json(service, await service.ready_video())
    url = local(video["origin_url"])
    whole = await anonymous(service).get(url)
    etag, modified = whole.headers["etag"], whole.headers["last-modified"]
    for validator in (etag, modified):
        matching = await anonymous(service).get(url, headers={"Range": "bytes=0-3", "If-Range": validator})
        assert (matching.status, matching.content) == (206, whole.content[:4])
    for stale in ('"changed"', f"W/{etag}", "Thu, 01 Jan 2015 00:00:00 GMT"):
        response = await anonymous(service).get(url, headers={"Range": "bytes=0-3", "If-Range": stale})
        assert (response.status, response.content) == (200, whole.content), stale


async def test_a_player_on_another_origin_may_fetch_media(service: Service) -> None:
    video = await video_json(service, await service.ready_video())
    url = local(video["origin_url"])
    _, preflight = await service.api.client.options(
        url.partition("?")[0],
        headers={
            "Origin": "https://player.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "range",
        },
    )
    assert preflight.status == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert {"GET", "HEAD"} <= {m.strip() for m in preflight.headers["access-control-allow-methods"].split(",")}
    assert "range" in preflight.headers["access-control-allow-headers"].lower()
    response = await anonymous(service).get(url, headers={"Origin": "https://player.example", "Range": "bytes=0-1"})
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {"content-range", "content-length", "accept-ranges", "etag"} <= exposed


async def test_uploaded_pages_and_svgs_are_downloads_not_documents(service: Service) -> None:
    for filename in ("x.html", "x.svg"):
        storage_id = await service.upload(data=b"<svg onload=alert(1)><script>alert(1)</script>", filename=filename)
        response = await service.api.get(f"/files/{storage_id}")
        assert response.status == 200
        assert response.headers["content-type"] == "application/octet-stream"
        assert response.headers["content-disposition"].startswith("attachment;")
        assert f'filename="{filename}"' in response.headers["content-disposition"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-security-policy"] == MEDIA_CSP


async def test_an_svg_made_a_cover_is_still_a_download(service: Service) -> None:
    video_id = await service.ready_video()
    svg = await service.upload(data=b"<svg onload=alert(1)/>", filename="cover.svg")
    updated = await service.api.post("/video/api/update", {"thumb_storage_id": svg}, params={"id": video_id})
    assert updated.status == 200
    cover = await anonymous(service).get(local((await video_json(service, video_id))["thumb_url"]))
    assert cover.status == 200
    assert cover.headers["content-type"] == "application/octet-stream"
    assert cover.headers["content-disposition"].startswith("attachment;")


async def test_media_is_served_inline_with_its_type_and_sandboxed(service: Service) -> None:
    video = await video_json(service, await service.ready_video())
    cover = await anonymous(service).get(local(video["thumb_url"]))
    assert cover.headers["content-type"] == "image/jpeg"
    assert "content-disposition" not in cover.headers
    assert cover.headers["content-security-policy"] == MEDIA_CSP


async def test_every_response_carries_the_security_headers(service: Service) -> None:
    responses = [
        await anonymous(service).get("/health"),
        await service.api.get("/video/api/list"),
        await anonymous(service).get("/video/api/list"),  # 401
        await anonymous(service).get("/files/nosuchfile"),  # 404
    ]
    for response in responses:
        assert response.headers["x-content-type-options"] == "nosniff", response.status
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page = await anonymous(service).get("/docs")
    assert "script-src 'self'" in page.headers["content-security-policy"]  # a page keeps its own policy
