"""Instagram content publishing in the sandbox: containers, fetching, publishing, limits."""

from __future__ import annotations

import hashlib

import facebook
import pytest

from costanza.demo.sandbox.routing import redirect_session

GRAPH = "https://graph.facebook.com/v26.0"


@pytest.fixture
def ig(base_url, creds):
    """facebook-sdk with the Instagram token."""
    return facebook.GraphAPI(creds["instagram"]["token"], session=redirect_session(base_url))


@pytest.fixture
def ig_user(creds):
    return creds["instagram"]["ig_user_id"]


def create(ig, ig_user, **params):
    return ig.request(f"v26.0/{ig_user}/media", post_args=params)["id"]


def status(ig, container):
    return ig.request(f"v26.0/{container}", args={"fields": "status_code,status"})


def test_ig_photo_container_publish_permalink_comment(ig, ig_user, control, media_host, jpeg):
    data = jpeg(1080, 1080)
    url = media_host.put("cheese.jpg", data)
    container = create(ig, ig_user, image_url=url, caption="Aged 12 months",
                       alt_text="A wheel of cheese")
    assert status(ig, container)["status_code"] == "FINISHED"
    media_id = ig.request(f"v26.0/{ig_user}/media_publish",
                          post_args={"creation_id": container})["id"]
    assert status(ig, container)["status_code"] == "PUBLISHED"
    permalink = ig.request(f"v26.0/{media_id}", args={"fields": "permalink"})["permalink"]
    assert permalink.startswith("https://www.instagram.com/p/")
    comment = ig.request(f"v26.0/{media_id}/comments", post_args={"message": "#cheese"})
    assert comment["id"]
    [post] = control.posts("instagram")
    assert post["id"] == media_id and post["parent_id"] == container
    assert post["text"] == "Aged 12 months" and post["permalink"] == permalink
    assert post["media_sha256"] == [hashlib.sha256(data).hexdigest()]
    assert [c["text"] for c in post["comments"]] == ["#cheese"]
    listing = ig.request(f"v26.0/{ig_user}/media", args={"fields": "id,caption,permalink",
                                                        "since": "2000-01-01T00:00:00Z"})
    assert listing["data"][0]["id"] == media_id
    later = ig.request(f"v26.0/{ig_user}/media", args={"since": "4000000000"})
    assert later["data"] == []


def test_ig_processing_is_asynchronous(ig, ig_user, control, media_host, jpeg):
    control.settings(ig_processing_secs=60)
    container = create(ig, ig_user, image_url=media_host.put("a.jpg", jpeg()))
    assert status(ig, container)["status_code"] == "IN_PROGRESS"
    with pytest.raises(facebook.GraphAPIError) as caught:
        ig.request(f"v26.0/{ig_user}/media_publish", post_args={"creation_id": container})
    assert caught.value.code == 9007
    assert caught.value.result["error"]["error_subcode"] == 2207027
    control.advance_clock(61)
    assert status(ig, container)["status_code"] == "FINISHED"


def test_ig_container_expires_after_24_hours(ig, ig_user, control, media_host, jpeg):
    container = create(ig, ig_user, image_url=media_host.put("a.jpg", jpeg()))
    control.advance_clock(24 * 3600 + 1)
    assert status(ig, container)["status_code"] == "EXPIRED"
    with pytest.raises(facebook.GraphAPIError):
        ig.request(f"v26.0/{ig_user}/media_publish", post_args={"creation_id": container})


def test_ig_publishing_twice_is_refused(ig, ig_user, control, media_host, jpeg):
    container = create(ig, ig_user, image_url=media_host.put("a.jpg", jpeg()))
    ig.request(f"v26.0/{ig_user}/media_publish", post_args={"creation_id": container})
    with pytest.raises(facebook.GraphAPIError):
        ig.request(f"v26.0/{ig_user}/media_publish", post_args={"creation_id": container})
    assert len(control.posts("instagram")) == 1


def test_ig_unreachable_image_url(ig, ig_user):
    with pytest.raises(facebook.GraphAPIError) as caught:
        create(ig, ig_user, image_url="http://127.0.0.1:9/photo.jpg")
    error = caught.value.result["error"]
    assert (error["code"], error["error_subcode"]) == (9004, 2207052)


def test_ig_jpeg_only(ig, ig_user, media_host, png):
    with pytest.raises(facebook.GraphAPIError) as caught:
        create(ig, ig_user, image_url=media_host.put("a.png", png()))
    assert caught.value.result["error"]["error_subcode"] == 2207005


@pytest.mark.parametrize("size", [(1000, 1300), (2000, 1000)])
def test_ig_aspect_ratio(ig, ig_user, media_host, jpeg, size):
    with pytest.raises(facebook.GraphAPIError) as caught:
        create(ig, ig_user, image_url=media_host.put("a.jpg", jpeg(*size)))
    assert caught.value.result["error"]["error_subcode"] == 2207009


def test_ig_extreme_ratios_that_pass_and_width_scaling(ig, ig_user, control, media_host, jpeg):
    create(ig, ig_user, image_url=media_host.put("portrait.jpg", jpeg(800, 1000)))
    create(ig, ig_user, image_url=media_host.put("wide.jpg", jpeg(1910, 1000)))
    widths = sorted(c["width"] for c in control.containers())
    assert widths == [800, 1440]


def test_ig_image_over_8_mb(ig, ig_user, media_host):
    import io
    import os

    from PIL import Image

    buffer = io.BytesIO()
    noise = Image.frombytes("RGB", (2400, 2400), os.urandom(2400 * 2400 * 3))
    noise.save(buffer, "JPEG", quality=100)
    assert buffer.tell() > 8 * 1024 * 1024
    with pytest.raises(facebook.GraphAPIError) as caught:
        create(ig, ig_user, image_url=media_host.put("big.jpg", buffer.getvalue()))
    assert caught.value.result["error"]["error_subcode"] == 2207004


def test_ig_carousel(ig, ig_user, control, media_host, jpeg, mp4):
    children = [create(ig, ig_user, is_carousel_item="true",
                       image_url=media_host.put(f"{i}.jpg", jpeg(color=(i * 40, 0, 0))))
                for i in range(2)]
    children.append(create(ig, ig_user, is_carousel_item="true", media_type="VIDEO",
                           video_url=media_host.put("v.mp4", mp4)))
    parent = create(ig, ig_user, media_type="CAROUSEL", children=",".join(children),
                    caption="Three steps")
    assert status(ig, parent)["status_code"] == "FINISHED"
    media_id = ig.request(f"v26.0/{ig_user}/media_publish",
                          post_args={"creation_id": parent})["id"]
    [post] = control.posts("instagram")
    assert post["id"] == media_id and len(post["media"]) == 3
    assert post["media"][2]["kind"] == "video"
    fields = ig.request(f"v26.0/{media_id}", args={"fields": "media_type,children"})
    assert fields["media_type"] == "CAROUSEL_ALBUM"
    quota = ig.request(f"v26.0/{ig_user}/content_publishing_limit",
                       args={"fields": "config,quota_usage"})["data"][0]
    assert quota["quota_usage"] == 1  # a carousel counts once


@pytest.mark.parametrize("count", [1, 11])
def test_ig_carousel_needs_2_to_10_children(ig, ig_user, media_host, jpeg, count):
    url = media_host.put("a.jpg", jpeg())
    children = [create(ig, ig_user, is_carousel_item="true", image_url=url)
                for _ in range(count)]
    with pytest.raises(facebook.GraphAPIError) as caught:
        create(ig, ig_user, media_type="CAROUSEL", children=",".join(children))
    assert caught.value.code == 100


def test_ig_reel_by_url(ig, ig_user, control, media_host, mp4):
    container = create(ig, ig_user, media_type="REELS", video_url=media_host.put("r.mp4", mp4),
                       caption="Reel")
    assert status(ig, container)["status_code"] == "FINISHED"
    media_id = ig.request(f"v26.0/{ig_user}/media_publish",
                          post_args={"creation_id": container})["id"]
    assert "/reel/" in ig.request(f"v26.0/{media_id}", args={"fields": "permalink"})["permalink"]
    assert control.posts("instagram")[0]["media"][0]["kind"] == "video"


def test_ig_reel_unreachable_url_is_an_error_status(ig, ig_user):
    container = create(ig, ig_user, media_type="REELS", video_url="http://127.0.0.1:9/r.mp4")
    reply = status(ig, container)
    assert reply["status_code"] == "ERROR" and "2207052" in reply["status"]


def test_ig_reel_resumable_upload(ig, ig_user, creds, session, control, mp4):
    reply = ig.request(f"v26.0/{ig_user}/media",
                       post_args={"media_type": "REELS", "upload_type": "resumable",
                                  "caption": "Uploaded"})
    container, uri = reply["id"], reply["uri"]
    assert uri.endswith(f"/ig-api-upload/v26.0/{container}")
    assert status(ig, container)["status_code"] == "IN_PROGRESS"
    headers = {"Authorization": f"OAuth {creds['instagram']['token']}", "offset": "0",
               "file_size": str(len(mp4))}
    upload = session.post(uri, data=mp4, headers=headers)
    assert upload.json() == {"success": True, "message": "Upload successful."}
    assert status(ig, container)["status_code"] == "FINISHED"
    ig.request(f"v26.0/{ig_user}/media_publish", post_args={"creation_id": container})
    assert control.posts("instagram")[0]["media_sha256"] == [hashlib.sha256(mp4).hexdigest()]


def test_ig_resumable_upload_via_rupload_host_and_bad_token(ig, ig_user, session, mp4):
    container = ig.request(f"v26.0/{ig_user}/media",
                           post_args={"media_type": "REELS", "upload_type": "resumable"})["id"]
    url = f"https://rupload.facebook.com/ig-api-upload/v26.0/{container}"
    bad = session.post(url, data=mp4, headers={"Authorization": "OAuth nope", "offset": "0",
                                               "file_size": str(len(mp4))})
    assert bad.status_code == 401 and "debug_info" in bad.json()


def test_ig_daily_limit(ig, ig_user, control, media_host, jpeg):
    control.settings(ig_publish_limit=1)
    url = media_host.put("a.jpg", jpeg())
    first, second = create(ig, ig_user, image_url=url), create(ig, ig_user, image_url=url)
    ig.request(f"v26.0/{ig_user}/media_publish", post_args={"creation_id": first})
    with pytest.raises(facebook.GraphAPIError) as caught:
        ig.request(f"v26.0/{ig_user}/media_publish", post_args={"creation_id": second})
    assert caught.value.result["error"]["error_subcode"] == 2207042
    quota = ig.request(f"v26.0/{ig_user}/content_publishing_limit",
                       args={"fields": "config,quota_usage"})["data"][0]
    assert quota == {"config": {"quota_total": 1, "quota_duration": 86400}, "quota_usage": 1}


def test_ig_page_token_works_and_other_accounts_do_not(base_url, control, creds, ig_user,
                                                       media_host, jpeg):
    page = facebook.GraphAPI(creds["facebook"]["page_token"], session=redirect_session(base_url))
    assert create(page, ig_user, image_url=media_host.put("a.jpg", jpeg()))
    other = control.create_accounts("someone-else")
    stranger = facebook.GraphAPI(other["instagram"]["token"], session=redirect_session(base_url))
    with pytest.raises(facebook.GraphAPIError) as caught:
        create(stranger, ig_user, image_url=media_host.put("b.jpg", jpeg()))
    assert caught.value.code == 200


def test_ig_caption_limits(ig, ig_user, media_host, jpeg):
    url = media_host.put("a.jpg", jpeg())
    with pytest.raises(facebook.GraphAPIError):
        create(ig, ig_user, image_url=url, caption="x" * 2201)
    with pytest.raises(facebook.GraphAPIError):
        create(ig, ig_user, image_url=url, caption=" ".join(f"#t{i}" for i in range(31)))


def test_ig_fetches_media_served_by_the_sandbox_itself(ig, ig_user, graph, creds, base_url,
                                                       control, jpeg):
    data = jpeg(900, 900)
    graph.request(f"v26.0/{creds['facebook']['page_id']}/photos",
                  post_args={"published": "false"}, files={"source": ("a.jpg", data)})
    url = f"{base_url}/_sandbox/media/{hashlib.sha256(data).hexdigest()}"
    container = create(ig, ig_user, image_url=url)
    assert status(ig, container)["status_code"] == "FINISHED"


def test_ig_expired_token(ig, ig_user, control, creds, media_host, jpeg):
    control.expire_token("instagram", token=creds["instagram"]["token"])
    with pytest.raises(facebook.GraphAPIError) as caught:
        create(ig, ig_user, image_url=media_host.put("a.jpg", jpeg()))
    assert caught.value.code == 190


def test_ig_after_effect_publish_then_status_tells_the_truth(ig, ig_user, control, media_host,
                                                            jpeg):
    container = create(ig, ig_user, image_url=media_host.put("a.jpg", jpeg()))
    control.fault("instagram", "media_publish", after_effect=True, status=500)
    with pytest.raises(facebook.GraphAPIError):
        ig.request(f"v26.0/{ig_user}/media_publish", post_args={"creation_id": container})
    assert status(ig, container)["status_code"] == "PUBLISHED"
    assert len(control.posts("instagram")) == 1


def test_ig_reel_duration_limits_are_settings(ig, ig_user, control, media_host, mp4):
    control.settings(ig_reel_min_secs=3)
    container = create(ig, ig_user, media_type="REELS", video_url=media_host.put("r.mp4", mp4))
    reply = status(ig, container)
    assert reply["status_code"] == "ERROR" and "2207026" in reply["status"]


def test_ig_reel_that_is_not_a_video(ig, ig_user, media_host):
    container = create(ig, ig_user, media_type="REELS",
                       video_url=media_host.put("r.mp4", b"\x00\x00\x00\x18ftypmp42" * 50))
    assert status(ig, container)["status_code"] == "ERROR"


def test_ig_with_the_sandbox_as_media_host(ig, ig_user, control, jpeg):
    url = control.host_media(jpeg(1000, 1000))
    container = create(ig, ig_user, image_url=url, caption="Hosted here")
    ig.request(f"v26.0/{ig_user}/media_publish", post_args={"creation_id": container})
    assert control.posts("instagram")[0]["text"] == "Hosted here"
