"""The S3 media host against a real local S3-compatible server (moto in server mode)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from config.errors import PublishFailed, SettingsError
from config.secrets import SecretStore
from config.settings import Settings
from scheduler.media_hosts import make_media_host
from scheduler.media_hosts.s3 import S3Host
from tests.factories.media import make_jpeg

pytest.importorskip("boto3")

KEYS = {"access_key_id": "testing-key-id", "secret_access_key": "testing-secret-key"}


@pytest.fixture
def s3_settings(make_settings: Callable[..., Settings], s3_endpoint: str,
                s3_bucket: str) -> Callable[..., Settings]:
    def factory(**extra: str) -> Settings:
        table = {"kind": "s3", "bucket": s3_bucket, "endpoint_url": s3_endpoint,
                 "region": "us-east-1", "prefix": "costanza", "url_expiry": "15m", **extra}
        settings = make_settings(**table)
        SecretStore(settings.home.secrets_file, env={}).put("media_host", KEYS)
        return settings

    return factory


def _photo(tmp_path: Path) -> tuple[Path, str]:
    path = make_jpeg(tmp_path / "cacio.jpg", (64, 48))
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def test_s3_host_uploads_and_gives_a_presigned_address(
        s3_settings: Callable[..., Settings], s3_endpoint: str, s3_bucket: str,
        tmp_path: Path) -> None:
    host = make_media_host(s3_settings())
    assert isinstance(host, S3Host)
    photo, digest = _photo(tmp_path)

    url = host.public_url(photo, digest, "image/jpeg")

    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == s3_endpoint
    assert parts.path == f"/{s3_bucket}/costanza/{digest}.jpg"
    query = parse_qs(parts.query)
    assert query["X-Amz-Expires"] == ["900"]
    assert "X-Amz-Signature" in query
    assert KEYS["secret_access_key"] not in url
    reply = requests.get(url, timeout=10)
    assert reply.status_code == 200
    assert reply.content == photo.read_bytes()
    assert reply.headers["Content-Type"] == "image/jpeg"


def test_s3_host_uploads_each_photo_once(s3_settings: Callable[..., Settings],
                                         s3_endpoint: str, s3_bucket: str,
                                         tmp_path: Path) -> None:
    import boto3

    host = make_media_host(s3_settings())
    photo, digest = _photo(tmp_path)
    host.public_url(photo, digest, "image/jpeg")
    client = boto3.client("s3", region_name="us-east-1", endpoint_url=s3_endpoint,
                          aws_access_key_id="x", aws_secret_access_key="y")
    first = client.head_object(Bucket=s3_bucket, Key=f"costanza/{digest}.jpg")["LastModified"]
    # Replace the object behind Costanza's back: a second publish must not upload again.
    client.put_object(Bucket=s3_bucket, Key=f"costanza/{digest}.jpg", Body=b"marker")

    url = host.public_url(photo, digest, "image/jpeg")

    assert requests.get(url, timeout=10).content == b"marker"
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=s3_bucket)["Contents"]]
    assert keys == [f"costanza/{digest}.jpg"]
    assert first is not None


def test_s3_host_check_reads_the_test_photo_back(s3_settings: Callable[..., Settings],
                                                 s3_endpoint: str, s3_bucket: str) -> None:
    import boto3

    result = make_media_host(s3_settings()).check()

    assert result.url.startswith(f"{s3_endpoint}/{s3_bucket}/costanza/")
    client = boto3.client("s3", region_name="us-east-1", endpoint_url=s3_endpoint,
                          aws_access_key_id="x", aws_secret_access_key="y")
    assert client.list_objects_v2(Bucket=s3_bucket).get("KeyCount") == 0  # cleaned up


def test_s3_host_without_keys_says_where_they_go(make_settings: Callable[..., Settings],
                                                 s3_endpoint: str, tmp_path: Path) -> None:
    settings = make_settings(kind="s3", bucket="no-keys", endpoint_url=s3_endpoint)
    host = make_media_host(settings)
    photo, digest = _photo(tmp_path)
    with pytest.raises(SettingsError, match=r"has no keys\. Put them in secrets\.toml"):
        host.public_url(photo, digest, "image/jpeg")


def test_s3_host_missing_bucket_in_plain_words(s3_settings: Callable[..., Settings],
                                               tmp_path: Path) -> None:
    host = make_media_host(s3_settings(bucket="nobody-made-this-bucket"))
    photo, digest = _photo(tmp_path)
    with pytest.raises(PublishFailed, match="The bucket nobody-made-this-bucket does not exist"):
        host.public_url(photo, digest, "image/jpeg")


@pytest.mark.parametrize(("extra", "words"), [
    ({"bucket": "Not_A_Bucket"}, "`media_host.bucket` = 'Not_A_Bucket' is not allowed"),
    ({"url_expiry": "30d"}, "`media_host.url_expiry` = '30d' is not allowed: use a duration"),
    ({"url_expiry": "soon"}, "between 1 minute and 7 days"),
    ({"endpoint_url": "minio.local"}, "`media_host.endpoint_url` = 'minio.local'"),
    ({"access_key_id": "AKIA..."}, "`media_host.access_key_id` is unknown"),
])
def test_bad_s3_settings_name_the_key(make_settings: Callable[..., Settings],
                                      extra: dict[str, str], words: str) -> None:
    table = {"kind": "s3", "bucket": "shop-media", **extra}
    with pytest.raises(SettingsError) as caught:
        make_media_host(make_settings(**table))
    assert words in caught.value.message


def test_choosing_a_host_does_not_import_boto3() -> None:
    code = ("import sys\n"
            "from pathlib import Path\n"
            "from config.paths import Home\n"
            "from config.settings import Settings\n"
            "from scheduler.media_hosts import make_media_host\n"
            "s = Settings(home=Home(Path('c.toml'), Path('.')), database_url='sqlite://',\n"
            "             media_host={'kind': 's3', 'bucket': 'shop-media'})\n"
            "make_media_host(s)\n"
            "assert 'boto3' not in sys.modules and 'botocore' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True,
                   cwd=Path(__file__).resolve().parents[3])
