"""Every cap on what a request may ask for, in one place.

The engine checks them; the API's schemas import them for OpenAPI; the pages receive them through
the templates (`page_limits()`), so an editor never allows what the API would refuse. Each cap bounds
the cost of a request before any work starts.
"""

from __future__ import annotations

MAX_ABS = 1e9                 # every number a user sends stays within ±1e9, so sums stay finite

# ---- convolution and pooling (/api/conv2d, /api/pool) -----------------------------------------------
CONV_MAX_HW = 64              # input rows and columns
CONV_MAX_C = 8                # input channels
CONV_MAX_F = 16               # filters
CONV_MAX_K = 11               # kernel (and pool window) rows and columns
CONV_MAX_STRIDE = 8           # strides and dilation
CONV_MAX_PAD = 32             # explicit padding on one side
CONV_MAX_MACS = 100_000_000   # multiply-adds of one request
CONV_MAX_OUTPUT = 64 * 64 * 16  # output numbers (and padded-input numbers)
CONV_MAX_GRID = 4 * CONV_MAX_OUTPUT  # an intermediate grid a response shows (transposed conv's zero-inserted
                                     # input, a backward pass' padded dL/dy)
TRACE_MAX_STEPS = 10_000      # trace steps returned
TRACE_MAX_NUMBERS = 50_000    # products over all returned steps

# ---- recurrent layers (/api/rnn, /api/lstm, /api/gru) ------------------------------------------------
RNN_MAX_T = 200               # time steps
RNN_MAX_D = 32                # input features
RNN_MAX_U = 32                # units (and output units)
RNN_MAX_SEED = 2**31 - 1
RNN_FORMULA_MAX = 4           # formulas with numbers when d, units and output units are all ≤ 4

# ---- the MNIST model (/api/mnist/*) -------------------------------------------------------------------
MNIST_MAX_BATCH = 256
MNIST_MAX_BATCH_ACTIVATIONS = 8
IMAGE_MAX_SIDE = 2048         # an uploaded picture's width and height
IMAGE_MAX_PIXELS = 4_200_000
IMAGE_MAX_JPEG_SCANS = 32     # a progressive JPEG has ~10; each costs a pass over every block
IMAGE_MAX_JPEG_SEGMENTS = 1024  # before the first scan; cameras write ~20 (EXIF, ICC profile in parts, tables)
IMAGE_MAX_JPEG_STRAY = 4096   # fill (0xFF) or stray bytes between those segments, which Pillow reads one by one
IMAGE_MAX_PNG_CHUNKS = 4096   # encoders write IDAT chunks of 8 KB and more: 8 MiB is ~1,000 chunks
IMAGE_MAX_PNG_PROFILES = 1    # iCCP chunks: each is inflated (up to 1 MB) on open; the standard allows one
IMAGE_MAX_FRAMES = 64         # animated WebP (only the first frame is used)
IMAGE_MAX_WEBP_PIXELS = 2048 * 2048  # libwebp cannot decode at a reduced scale: 2048² takes ~0.2 s
STROKES_MAX_CANVAS = 2048     # the drawing canvas' width and height
STROKES_MAX_POINTS = 20_000
STROKES_MAX_STROKES = 500
MNIST_TRACE_MAX_NUMBERS = 4096  # products in one feature-map trace step

# ---- request bodies (app/config.py applies them per path) ----------------------------------------------
JSON_BODY_BYTES = 1 << 20       # any JSON body, unless its route documents more
MNIST_JSON_BYTES = 4 << 20      # /api/mnist/predict and /trace: batches of 256 and pictures as data URLs
MNIST_UPLOAD_BYTES = 8 << 20    # /api/mnist/predict/upload: a picture as multipart
FILTER_JSON_BYTES = 6 << 20     # /api/image/filter: a photo as a data URL (base64 adds a third)
FILTER_UPLOAD_BYTES = 8 << 20   # /api/image/filter/upload

# ---- the architectures walker (/api/architectures/shape) ------------------------------------------------
ARCH_MAX_LAYERS = 200
ARCH_MAX_DEPTH = 4            # branches inside branches
ARCH_MAX_BRANCHES = 8
# one layer of a description (the walker's bounds on sizes, so every count stays exact)
ARCH_MAX_HW = 2048            # input and map height and width
ARCH_MAX_C = 4096             # input channels
ARCH_MAX_FLAT = 1 << 24       # values of a flat vector (an input of [features], or after Flatten)
ARCH_MAX_FILTERS = 4096       # Conv2D filters
ARCH_MAX_UNITS = 65536        # Dense units
ARCH_MAX_K = 64               # kernel and pool window side
ARCH_MAX_STRIDE = 64          # strides and dilation
ARCH_MAX_PAD = 512            # padding on one side
ARCH_MAX_COUNT = 10 ** 15     # one layer's parameters or multiply-adds: every total stays exact in a JS number

# ---- image filters (/api/image/filter): a picture through a 3×3 (up to 11×11) kernel -------------------
FILTER_IMAGE_MAX_SIDE = 4096  # a decoded picture's width and height, before it is scaled down
FILTER_IMAGE_MAX_PIXELS = 4096 * 4096
FILTER_MAX_SIDE = 512         # max_side: the longer side after scaling (and the engine's input side)
FILTER_MAX_K = 11             # kernel rows and columns
FILTER_MAX_F = 3              # filters of a (kh, kw, C, F) kernel
FILTER_MAX_MACS = 100_000_000  # multiply-adds of one filter request (512²·11·11·3 per channel is 95 million)

# ---- activation functions (/api/activations) -------------------------------------------------------------
ACT_MAX_X = 2001              # numbers in x (a plotted curve of 2,001 points)
ACT_MAX_SOFTMAX = 64          # softmax's vector (its Jacobian has 64² numbers)

# ---- animations of a trace (/api/conv2d/animation, /api/pool/animation) --------------------------------------
ANIM_MAX_FRAMES = 80          # frames of a GIF: a longer trace is sampled (every k-th step, and the last)
ANIM_STRIP_FRAMES = 6         # key frames in the PNG strip
ANIM_MAX_SIDE = 1600          # a frame's width and height in pixels
ANIM_MAX_FRAME_PIXELS = 1_200_000   # a frame's width × height
ANIM_MAX_PIXELS = 56_000_000  # frames × frame pixels: bounds the drawing and the GIF encoder's work
ANIM_MAX_STRIP_PIXELS = 12_000_000  # the PNG strip's width × height
ANIM_MAX_TEXT = 600           # characters of a formula drawn in a frame (longer ones are cut at a term)


def page_limits() -> dict:
    """The caps the pages' editors need, handed to every page by the templates."""
    return {
        "conv": {"max_hw": CONV_MAX_HW, "max_c": CONV_MAX_C, "max_f": CONV_MAX_F, "max_k": CONV_MAX_K,
                 "max_stride": CONV_MAX_STRIDE, "max_pad": CONV_MAX_PAD, "max_abs": MAX_ABS},
        "rnn": {"max_t": RNN_MAX_T, "max_d": RNN_MAX_D, "max_u": RNN_MAX_U, "formula_max": RNN_FORMULA_MAX,
                "max_seed": RNN_MAX_SEED},
        "mnist": {"max_points": STROKES_MAX_POINTS, "max_strokes": STROKES_MAX_STROKES,
                  "max_canvas": STROKES_MAX_CANVAS, "max_image_side": IMAGE_MAX_SIDE,
                  "max_upload_bytes": MNIST_UPLOAD_BYTES, "max_json_bytes": MNIST_JSON_BYTES},
        "arch": {"max_layers": ARCH_MAX_LAYERS},
        "activations": {"max_x": ACT_MAX_X, "max_softmax": ACT_MAX_SOFTMAX},
        "filter": {"max_side": FILTER_MAX_SIDE, "max_k": FILTER_MAX_K, "max_f": FILTER_MAX_F,
                   "max_image_side": FILTER_IMAGE_MAX_SIDE, "max_webp_pixels": IMAGE_MAX_WEBP_PIXELS,
                   "max_stride": CONV_MAX_STRIDE, "max_pad": CONV_MAX_PAD,
                   "max_json_bytes": FILTER_JSON_BYTES, "max_upload_bytes": FILTER_UPLOAD_BYTES},
        "models": {"max_upload": MODEL_MAX_UPLOAD_BYTES, "max_json_bytes": MODEL_JSON_BYTES,
                   "max_array": MODEL_ARRAY_MAX_NUMBERS, "max_trace": MODEL_TRACE_MAX_NUMBERS,
                   "max_dim": MODEL_INPUT_EDIT_MAX_DIM, "max_abs": MAX_ABS, "max_points": STROKES_MAX_POINTS,
                   "max_strokes": STROKES_MAX_STROKES, "max_image_side": IMAGE_MAX_SIDE},
    }

# ---- uploaded Keras models (/api/models, app/models/, app/engine/layers/) --------------------------------
MODEL_MAX_UPLOAD_BYTES = 20 * 1024 * 1024   # a .keras or .h5 upload (the API answers 413 above it)
MODEL_MAX_MEMBER_BYTES = 50 * 1024 * 1024   # one zip member, uncompressed (as declared, and as read)
MODEL_MAX_ZIP_RATIO = 100                   # uncompressed / compressed size of one zip member
MODEL_MAX_ZIP_MEMBERS = 64                  # members of a .keras archive
MODEL_MAX_CONFIG_BYTES = 8 * 1024 * 1024    # config.json, metadata.json or the model_config attribute
MODEL_MAX_PARAMS = 10_000_000               # parameters of a model (Keras' count_params())
MODEL_MAX_LAYERS = 500                      # layers of a model, InputLayer included
MODEL_MAX_WEIGHTS_PER_LAYER = 16            # weight arrays one layer may name
MODEL_MAX_DIM = 1_000_000                   # any one axis of a shape in a config
MODEL_MAX_LAYER_NUMBERS = 4_000_000         # numbers in the input or in one layer's output at predict time
MODEL_MAX_COST = 500_000_000                # cost units of one predict (≈ ns here; a multiply-add is 1): spec.Kind
MODEL_MAX_TIMESTEPS = 5_000                 # steps of a recurrent layer (its time loop runs in Python)
MODEL_ARRAY_MAX_NUMBERS = 65_536            # one layer's output returned as an array by predict (else null)
MODEL_ARRAYS_MAX_NUMBERS = 400_000          # all arrays of one predict response together
MODEL_TRACE_MAX_NUMBERS = 50_000            # products (or inputs) in one traced step
MODEL_IMAGE_MAX_SIDE = 2048                 # a picture handed to predict_image
MODEL_STORE_MAX_BYTES = 500 * 1000 * 1000   # models kept on disk before the least recently used go (MODELS_MAX_BYTES)
MODEL_READ_CPU_SECONDS = 0.5               # CPU time a reading child may use on a small file; then it is killed: 4xx
MODEL_READ_BYTES_PER_CPU_SECOND = 8 * 1024**2   # ... plus 1 s per 8 MiB of file (a 20 MiB file: 3 s)
MODEL_READ_CPU_PER_WEIGHT = 0.002           # ... plus 2 ms per weight array the checked config names (~0.7 ms each
MODEL_READ_MAX_COUNTED_WEIGHTS = 2_000      #     here), counted up to 2,000 arrays (at most 4 s more)
MODEL_READ_WALL_SECONDS = 10.0              # and at most this long by the clock, whatever the machine's load
MODEL_READ_MEMORY_BYTES = 3 * 1024**3       # the reading child's address space (RLIMIT_AS)
MODEL_UPLOAD_BODY_BYTES = MODEL_MAX_UPLOAD_BYTES + (1 << 20)  # POST /api/models: the file and its multipart envelope
MODEL_JSON_BYTES = 8 << 20                  # /api/models/{id}/predict and /trace: a (224, 224, 3) input, a data URL
MODEL_INPUT_EDIT_MAX_DIM = 200              # the /model page's input editor: rows and columns of a free axis
