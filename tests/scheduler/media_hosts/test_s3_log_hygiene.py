"""The S3 keys are canaries: with every logger at DEBUG (botocore's included), a real
upload and presign against a local S3 server logs neither key."""

from __future__ import annotations

import hashlib
import secrets as random
from collections.abc import Callable
from pathlib import Path

import pytest

from config.secrets import SecretStore
from config.settings import Settings
from scheduler.media_hosts import make_media_host
from tests.factories.media import make_jpeg
from tests.integration.hygiene.conftest import Trap, trap  # noqa: F401 (fixture)

pytest.importorskip("boto3")
import boto3  # noqa: F401  (its loggers exist before the trap sets them to DEBUG)
import botocore.auth
import botocore.endpoint  # noqa: F401


def test_s3_keys_never_reach_a_debug_log(make_settings: Callable[..., Settings],
                                         s3_endpoint: str, s3_bucket: str, tmp_path: Path,
                                         trap: Trap) -> None:  # noqa: F811
    key_id = "AKIA" + random.token_hex(8).upper()
    secret_key = random.token_hex(20)
    settings = make_settings(kind="s3", bucket=s3_bucket, endpoint_url=s3_endpoint,
                             region="us-east-1", prefix="costanza", url_expiry="15m")
    SecretStore(settings.home.secrets_file, env={}).put(
        "media_host", {"access_key_id": key_id, "secret_access_key": secret_key})
    photo = make_jpeg(tmp_path / "cacio.jpg", (64, 48))
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()

    make_media_host(settings).public_url(photo, digest, "image/jpeg")

    text = "\n".join(trap.logs.lines)
    assert any("botocore" in line for line in trap.logs.lines)  # the trap saw botocore
    assert key_id not in text
    assert secret_key not in text
    assert "Credential=AKIA" not in text
