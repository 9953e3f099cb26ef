"""One Settings object; absolute paths from this file."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from app.engine import limits

ROOT = Path(__file__).resolve().parent.parent

# an origin a page may be framed by: scheme://host[:port], "*." for subdomains, no path (CSP host-source)
_ORIGIN = re.compile(r"https?://(\*\.)?([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:(\d{1,5}|\*))?", re.IGNORECASE)


def frame_origins(text: str) -> list[str]:
    """FRAME_ANCESTORS="https://course.example.edu https://slides.example.com" (spaces or commas) -> the
    origins besides the app's own, each checked: it goes into the Content-Security-Policy header as it is,
    so anything but an origin (a path, a quote, a semicolon) is refused with the entry named, before the app
    starts. 'self' is always allowed (and may be written); 'none' alone forbids frames even on the app's
    own pages."""
    origins = []
    items = [i for i in re.split(r"[\s,]+", text.strip()) if i and i != "'self'"]
    if items == ["'none'"]:
        return items
    for item in items:
        origin = item[:-1] if item.endswith("/") else item
        if not _ORIGIN.fullmatch(origin):
            raise ValueError(f"FRAME_ANCESTORS: {item!r} is not an origin like https://course.example.edu")
        origins.append(origin)
    return origins


@dataclass
class Settings:
    root: Path = ROOT
    static_dir: Path = ROOT / "static"
    templates_dir: Path = ROOT / "templates"
    # request bodies: 1 MiB unless a route documents more (pictures as data URLs, batches, uploads)
    default_body_cap: int = limits.JSON_BODY_BYTES
    body_caps: dict[str, int] = field(default_factory=lambda: {
        "/api/mnist/predict": limits.MNIST_JSON_BYTES, "/api/mnist/trace": limits.MNIST_JSON_BYTES,
        "/api/mnist/predict/upload": limits.MNIST_UPLOAD_BYTES, "/api/image/filter": limits.FILTER_JSON_BYTES,
        "/api/image/filter/upload": limits.FILTER_UPLOAD_BYTES, "/api/models": limits.MODEL_UPLOAD_BODY_BYTES})
    # the same for paths with an id in them: regular expressions (deploy/nginx/nginx.conf has the same ones)
    body_cap_patterns: dict[str, int] = field(default_factory=lambda: {
        "^/api/models/[0-9a-f]{64}/(predict|trace)$": limits.MODEL_JSON_BYTES})
    # threads per worker process for engine work (app/api/compute.py), and for everything else that runs
    # in a thread (static files, pages)
    engine_threads: int = int(os.environ.get("ENGINE_THREADS", "1"))
    threads: int = int(os.environ.get("APP_THREADS", "4"))
    blas_threads: int = int(os.environ.get("BLAS_THREADS", "1"))
    # request bodies held in memory at once by one process (app/middleware.py BodyLimitMiddleware): past it a
    # large body gets 429 with Retry-After; bodies of at most SMALL_BODY bytes are never counted against it
    bodies_in_flight: int = int(os.environ.get("BODIES_IN_FLIGHT_BYTES", str(64 * 1024 * 1024)))
    # Host names served: None = loopback names on loopback addresses and Unix sockets, any name elsewhere
    # (app/middleware.py HostCheckMiddleware); ALLOWED_HOSTS="192.168.1.20,explainer.local" lists them
    allowed_hosts: list[str] | None = field(default_factory=lambda: (
        None if os.environ.get("ALLOWED_HOSTS") is None else os.environ["ALLOWED_HOSTS"].split(",")))
    # CORS is off unless origins are listed, e.g. CORS_ORIGINS="https://a.example,https://b.example"
    cors_origins: list[str] = field(default_factory=lambda: [
        o.strip() for o in os.environ.get("CORS_ORIGINS", "").split(",") if o.strip()])
    # Who may show the pages in a frame besides the app itself (CSP frame-ancestors; app/middleware.py):
    # FRAME_ANCESTORS="https://course.example.edu https://slides.example.com". The API and the docs never.
    frame_ancestors: list[str] = field(default_factory=lambda: frame_origins(os.environ.get("FRAME_ANCESTORS", "")))


settings = Settings()
