"""The Graph API version the sandbox answers as (in its paths and its links)."""

VERSION = "v26.0"
