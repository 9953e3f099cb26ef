"""Pictures in and out for the image filter: a decoded PIL image -> the engine's float array
(resize.py), the engine's colour pixels -> a PNG data URL (png.py). Decoding uploaded bytes is not here."""
