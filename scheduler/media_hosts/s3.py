"""``kind = "s3"``: an S3-compatible storage bucket (AWS S3, MinIO, Backblaze B2, Scaleway...).

Each photo is uploaded once (its key is the content hash, so a ``head_object``
tells whether it is already there) and Instagram gets a presigned address
that works for ``url_expiry`` only: the bucket itself can stay private.

    [media_host]
    kind = "s3"
    bucket = "my-shop-media"
    endpoint_url = "https://s3.eu-south-1.amazonaws.com"   # optional for AWS
    region = "eu-south-1"                                  # optional, default us-east-1
    prefix = "costanza/"                                   # optional
    url_expiry = "1h"                                      # optional, 1 minute to 7 days

The keys are secrets, kept with the other secrets under the name
``media_host`` (``access_key_id``, ``secret_access_key``), never in config.toml.
boto3 is imported only when a photo is uploaded or the host is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from config.errors import PublishError, PublishFailed, RetryLater, SettingsError
from config.i18n import _
from config.secrets import SecretStore
from config.settings import Settings
from scheduler.media_hosts.base import (
    SECRETS_NAME,
    MediaHost,
    Table,
    checked_hash,
    file_name,
    register,
)

BUCKET = r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]"
REFUSED = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "403",
           "InvalidToken", "ExpiredToken", "AuthorizationHeaderMalformed"}
MISSING = {"404", "NoSuchKey", "NotFound"}


@register
class S3Host(MediaHost):
    kind = "s3"

    def __init__(self, bucket: str, *, region: str, endpoint_url: str | None, prefix: str,
                 url_expiry: timedelta, addressing_style: str, secrets: SecretStore,
                 settings_file: Path) -> None:
        self.bucket = bucket
        self.region = region
        self.endpoint_url = endpoint_url
        self.prefix = prefix
        self.url_expiry = url_expiry
        self.addressing_style = addressing_style
        self.secrets = secrets
        self.settings_file = settings_file
        self._client: Any = None

    @classmethod
    def from_settings(cls, table: Mapping[str, Any], settings: Settings) -> S3Host:
        read = Table(table, settings, {"bucket", "endpoint_url", "region", "prefix",
                                       "url_expiry", "addressing_style"})
        bucket = read.text("bucket", "the bucket's name: 3 to 63 lower-case letters, digits, "
                                     "dots or dashes", pattern=BUCKET)
        endpoint = read.url("endpoint_url") if "endpoint_url" in table else None
        region = read.text("region", 'a region name such as "eu-south-1"',
                           default="us-east-1", pattern=r"[a-z0-9-]{2,32}")
        prefix = read.text("prefix", 'a folder-like prefix such as "costanza/"', default="")
        prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        expiry = read.duration("url_expiry", "1h", timedelta(minutes=1), timedelta(days=7))
        style = read.choice("addressing_style", "auto", "auto", "path", "virtual")
        return cls(bucket, region=region, endpoint_url=endpoint, prefix=prefix,
                   url_expiry=expiry, addressing_style=style,
                   secrets=SecretStore(settings.home.secrets_file),
                   settings_file=settings.home.config_file)

    def describe(self) -> str:
        if self.endpoint_url:
            return _("the bucket {bucket} at {endpoint}").format(bucket=self.bucket,
                                                                 endpoint=self.endpoint_url)
        return _("the bucket {bucket}").format(bucket=self.bucket)

    # -- boto3 ----------------------------------------------------------------------

    def client(self) -> Any:
        if self._client is None:
            keys = self.secrets.get(SECRETS_NAME)
            if not keys.get("access_key_id") or not keys.get("secret_access_key"):
                raise SettingsError(
                    _("The S3 media host has no keys. Put them in secrets.toml in Costanza's "
                      "data folder, in a [media_host] section with access_key_id and "
                      "secret_access_key (or set COSTANZA_SECRET_MEDIA_HOST_ACCESS_KEY_ID and "
                      "COSTANZA_SECRET_MEDIA_HOST_SECRET_ACCESS_KEY). They never go in "
                      "{file}.").format(file=self.settings_file.name))
            try:
                import boto3
                from botocore.config import Config
            except ImportError:
                raise SettingsError(
                    _("The S3 media host needs the boto3 package, which is not installed. "
                      "Install it with `pip install 'costanza[s3]'` (or `pip install boto3`)."),
                ) from None

            self._client = boto3.client(
                "s3", region_name=self.region, endpoint_url=self.endpoint_url,
                aws_access_key_id=keys["access_key_id"],
                aws_secret_access_key=keys["secret_access_key"],
                config=Config(signature_version="s3v4", retries={"max_attempts": 3},
                              connect_timeout=10, read_timeout=60,
                              s3={"addressing_style": self.addressing_style}))
            # botocore logs every request with its Authorization header at DEBUG: its
            # loggers exist now, so the scrubbing filter can be put on each of them.
            from scheduler.http.hygiene import install_log_filters

            install_log_filters()
        return self._client

    def key(self, sha256: str, mime: str, path: Path) -> str:
        return self.prefix + file_name(sha256, mime, path)

    def public_url(self, path: Path, sha256: str, mime: str) -> str:
        key = self.key(checked_hash(sha256, path), mime, path)
        client = self.client()
        try:
            if not self._exists(client, key):
                with path.open("rb") as body:
                    client.put_object(Bucket=self.bucket, Key=key, Body=body,
                                      ContentType=mime or "application/octet-stream")
            return str(client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key},
                ExpiresIn=int(self.url_expiry.total_seconds())))
        except Exception as exc:
            raise self._plain(exc) from None

    def _exists(self, client: Any, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in MISSING:
                return False
            raise
        return True

    def remove(self, sha256: str, mime: str) -> None:
        try:
            self.client().delete_object(Bucket=self.bucket,
                                        Key=self.key(sha256, mime, Path("")))
        except Exception as exc:
            raise self._plain(exc) from None

    def _plain(self, exc: Exception) -> PublishError | SettingsError:
        """A boto3 failure in plain words; never with the keys in it."""
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(exc, PublishError | SettingsError):
            return exc
        if isinstance(exc, ClientError):
            code = _code(exc)
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in REFUSED:
                return PublishFailed(
                    _("The storage service refused Costanza's keys for {host} ({code}). "
                      "Check access_key_id and secret_access_key under [media_host] in "
                      "secrets.toml, and that they may read and write the bucket; then run "
                      "`costanza account check`.").format(host=self.describe(), code=code),
                    http_status=status, code=code)
            if code == "NoSuchBucket":
                return PublishFailed(
                    _("The bucket {bucket} does not exist at {endpoint}. Check "
                      "`media_host.bucket` and `media_host.endpoint_url` in your settings."
                      ).format(bucket=self.bucket, endpoint=self.endpoint_url or "Amazon S3"),
                    http_status=status, code=code)
            if isinstance(status, int) and status < 500 and status != 429:
                return PublishFailed(
                    _("The storage service refused to store the photo ({code}). Check the "
                      "[media_host] settings, then run `costanza account check`.").format(
                        code=code),
                    http_status=status, code=code)
            return RetryLater(
                _("The storage service had a temporary problem ({code}). Costanza will try "
                  "again.").format(code=code), http_status=status, code=code)
        if isinstance(exc, BotoCoreError):
            return RetryLater(
                _("Costanza could not reach the storage service for {host} ({error}). It "
                  "will try again; if this lasts, check `media_host.endpoint_url` and your "
                  "internet connection.").format(host=self.describe(),
                                                 error=type(exc).__name__))
        if isinstance(exc, OSError):
            return PublishFailed(
                _("Costanza could not read the photo to upload ({error}). Check that the disk "
                  "holding Costanza's media folder is working and readable, then add the "
                  "photo to the post again with `costanza post edit`.").format(
                    error=exc.strerror or exc))
        return RetryLater(_("Uploading the photo to {host} failed ({error}). Costanza will "
                            "try again.").format(host=self.describe(), error=type(exc).__name__))

    def fix_hint(self) -> str:
        return _("Check that {host} lets presigned links be read from the internet, and the "
                 "[media_host] settings (bucket, endpoint_url, region).").format(
            host=self.describe())


def _code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
