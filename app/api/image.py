"""A picture through a kernel: POST /api/image/filter (JSON: a data URL or a bundled photo) and
POST /api/image/filter/upload (multipart). The picture is decoded with bounded cost (app/imaging/decode.py),
scaled to max_side (app/imaging/resize.py), filtered by the engine (app/engine/image_filter.py) and coloured
with the mapping stated; the output comes back as a PNG data URL."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from app.api.compute import compute
from app.api.errors import rule_of
from app.api.responses import JSONResponse
from app.api.routing import BodyRefused, JSONRoute, scan_json
from app.config import settings
from app.engine import limits as L
from app.engine.arrays import rows_to_lists, to_list
from app.engine.errors import EngineError
from app.engine.image_filter import PRESETS, check_kernel_choice, filter_image
from app.imaging.decode import decode, from_data_url
from app.imaging.png import filter_png
from app.imaging.resize import to_array

from .schemas import ERRORS, ConvStep, Padding, Pads, Strict, array_type, pair_type

router = APIRouter(prefix="/api/image", tags=["image"], route_class=JSONRoute)

PHOTOS = {p.stem: p for p in sorted((settings.static_dir / "img" / "photos").glob("*.jpg"))}
Preset = Literal[tuple(PRESETS)]  # type: ignore[valid-type]
Display = Literal["auto", "gray", "normalize", "diverging"]
KERNEL_DOC = (f"(kh, kw) up to {L.FILTER_MAX_K}×{L.FILTER_MAX_K} (grey: one output; rgb: each colour channel "
              f"on its own), or Keras' (kh, kw, C, F) with C = 1 (gray) or 3 (rgb) and F ≤ {L.FILTER_MAX_F}")
PRESET_DOC = "; ".join(f"{name}: {p['kernel']}" + (f" / {p['divisor']}" if p["divisor"] != 1 else "")
                       for name, p in PRESETS.items())
BINARY = {"format": "binary"}


class FilterOptions(Strict):
    max_side: int = Field(256, ge=1, le=L.FILTER_MAX_SIDE, strict=True,
                          description="the picture's longer side is scaled down to this (never up)")
    channels: Literal["gray", "rgb"] = "gray"
    kernel: array_type((2, 4), [L.FILTER_MAX_K, L.FILTER_MAX_K, 3, L.FILTER_MAX_F], KERNEL_DOC) | None = None
    preset: Preset | None = Field(None, description=f"applied as a cross-correlation, like Conv2D: {PRESET_DOC}")
    padding: Padding = "same"
    strides: pair_type(1, L.CONV_MAX_STRIDE, "int or [rows, cols]") = 1
    at: list[int] | None = Field(None, min_length=2, max_length=2, description="[row, col] of an output pixel: "
                                 "its step in the /api/conv2d vocabulary")
    include_output: bool = Field(False, strict=True, description="also the grey input used (0..1) and the float "
                                 "output, as nested lists")
    display: Display = Field("auto", description="how values become colours; auto picks from the output")


class FilterRequest(FilterOptions):
    image: str | None = Field(None, description="a picture as a data URL: data:image/jpeg;base64,... (PNG, JPEG "
                              f"or WebP, up to {L.FILTER_IMAGE_MAX_SIDE}×{L.FILTER_IMAGE_MAX_SIDE})")
    photo: Literal[tuple(PHOTOS)] | None = Field(  # type: ignore[valid-type]
        None, description="a bundled public-domain photo (static/img/photos/LICENSES.md)")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"photo": "astronaut", "preset": "sobel_x", "max_side": 256, "at": [100, 120]}]})


class Mapping(BaseModel):
    name: str = Field(description="gray | normalize | diverging | signed")
    domain: list[float] = Field(description="the values at the first and the last colour")
    colors: list[list[int]] = Field(description="RGB stops: black, white; or blue, white, orange at lo, 0, hi")
    channels: str
    clipped: dict[str, int]
    steps: int | None
    text: str


class FilterResponse(BaseModel):
    output_png: str = Field(description="data:image/png;base64,...: the output coloured as `mapping` says")
    mapping: Mapping
    output_range: list[float]
    output_shape: list[int]
    input_shape: list[int] = Field(description="the picture after scaling: (H, W) or (H, W, 3)")
    channels: str
    kernel: list = Field(description="the numbers used")
    preset: str | None
    mode: str = Field(description="single | per_channel | filters")
    padding: Pads
    strides: list[int]
    step: ConvStep | None = Field(None, description="with at: the first output channel's step")
    steps: list[ConvStep] | None = Field(None, description="with at: one step per output channel")
    input: list | None = None
    output: list | None = None


def run_filter(raw: bytes, field: str, opts: FilterOptions) -> dict:
    check_kernel_choice(opts.kernel, opts.preset)     # before the picture's decoding, which costs up to 0.7 s
    picture = decode(raw, field, L.FILTER_IMAGE_MAX_SIDE, L.FILTER_IMAGE_MAX_PIXELS, needed_side=opts.max_side)
    x = to_array(picture, opts.channels, opts.max_side)
    r = filter_image(x, kernel=opts.kernel, preset=opts.preset, padding=opts.padding, strides=opts.strides,
                     at=opts.at, display=opts.display)
    out = {"output_png": filter_png(r), "mapping": r["mapping"], "output_range": r["output_range"],
           "output_shape": r["output_shape"], "input_shape": list(r["input"].shape), "channels": r["channels"],
           "kernel": r["kernel"], "preset": r["preset"], "mode": r["mode"], "padding": r["padding"],
           "strides": r["strides"]}
    if opts.at is not None:
        out["step"], out["steps"] = r["steps"][0], r["steps"]
    if opts.include_output:
        for key in ("input", "output"):
            a = r[key]
            out[key] = rows_to_lists(a) if a.ndim == 2 else to_list(a)
    return out


def picture_of(req: FilterRequest) -> tuple[bytes, str]:
    if (req.image is None) == (req.photo is None):
        raise EngineError("body", "must hold exactly one of image (a data URL) and photo (a bundled photo's name)")
    if req.image is not None:
        return from_data_url(req.image, "image"), "image"
    return PHOTOS[req.photo].read_bytes(), "photo"


def _respond(req: FilterRequest) -> JSONResponse:
    return JSONResponse(run_filter(*picture_of(req), req))


@router.post("/filter", response_model=FilterResponse, responses=ERRORS)
async def image_filter(req: FilterRequest):
    """Convolve a picture with a kernel or a preset, as Conv2D does (cross-correlation), and see the output."""
    return await compute(_respond, req)


def _json_field(text: str | None, name: str) -> Any:
    """A form field holding JSON text, with the caps of a JSON body (nesting and values counted on the bytes
    before any object is built: a 1 MB field of a million values is refused as a 1 MB body would be)."""
    if text is None or text == "":
        return None
    raw = text.encode("utf-8", "surrogatepass")
    try:
        scan_json(raw)
    except BodyRefused as exc:
        raise EngineError(name, exc.rule) from None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise EngineError(name, "must be JSON, e.g. [[1, 0, -1], [2, 0, -2], [1, 0, -1]]") from exc


def _respond_upload(raw: bytes, fields: dict) -> JSONResponse:
    from pydantic import ValidationError

    try:
        opts = FilterOptions.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        err = max(exc.errors(), key=lambda e: len(e.get("loc", ())))  # the deepest is the most specific
        raise EngineError(".".join(str(p) for p in err["loc"]) or "body", rule_of(err)) from None
    return JSONResponse(run_filter(raw, "file", opts))


JSONText = Annotated[str | None, Form(description="JSON text"), WithJsonSchema({"type": "string"})]


@router.post("/filter/upload", response_model=FilterResponse, responses=ERRORS)
async def image_filter_upload(file: Annotated[UploadFile, File(description="PNG, JPEG or WebP",
                                                               json_schema_extra=BINARY)],
                              preset: Annotated[Preset | None, Form()] = None,
                              kernel: JSONText = None, max_side: Annotated[int, Form()] = 256,
                              channels: Annotated[Literal["gray", "rgb"], Form()] = "gray",
                              padding: JSONText = None, strides: JSONText = None, at: JSONText = None,
                              include_output: Annotated[bool, Form()] = False,
                              display: Annotated[Display, Form()] = "auto"):
    """The same for a picture sent as a multipart upload: `curl -F file=@photo.jpg -F preset=sobel_x`.
    kernel, padding, strides and at are JSON text (`-F 'kernel=[[1,0,-1],[2,0,-2],[1,0,-1]]'`)."""
    raw = await file.read()
    fields = {"preset": preset, "kernel": _json_field(kernel, "kernel"), "max_side": max_side,
              "channels": channels, "padding": _padding(padding), "strides": _json_field(strides, "strides"),
              "at": _json_field(at, "at"), "include_output": include_output, "display": display}
    return await compute(_respond_upload, raw, fields)


def _padding(text: str | None):
    if text in ("valid", "same", "full"):
        return text
    return _json_field(text, "padding")
