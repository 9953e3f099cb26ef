"""A Python client generated from the app's own /openapi.json (openapi-python-client, a test-only
dependency) imports and calls every endpoint: the lecture's numbers come back exact through it."""

from __future__ import annotations

import importlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

PACKAGE = "cnn_rnn_number_by_number_client"
THEANO = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]


@pytest.fixture(scope="module")
def api(client, tmp_path_factory):
    out = tmp_path_factory.mktemp("client")
    (out / "openapi.json").write_text(json.dumps(client.get("/openapi.json").json()))
    (out / "config.yml").write_text("post_hooks: []\n")
    cli = Path(sys.executable).with_name("openapi-python-client")
    done = subprocess.run([str(cli), "generate", "--path", "openapi.json", "--meta", "none", "--config", "config.yml"],
                          cwd=out, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and (out / PACKAGE).is_dir(), done.stdout + done.stderr
    sys.path.insert(0, str(out))
    try:
        package = importlib.import_module(PACKAGE)
        generated = package.Client(base_url="http://testserver")
        generated.set_httpx_client(client)
        yield generated, lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m.startswith(PACKAGE)]:
            del sys.modules[name]


def call(module, generated, body_cls=None, **fields):
    body = body_cls.from_dict(fields) if body_cls else None
    response = module.sync_detailed(client=generated, body=body) if body_cls else module.sync_detailed(client=generated)
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)


def test_every_operation_has_a_generated_module(api, client):
    _, mod = api
    operations = {op["operationId"]: tag for path, ops in client.get("/openapi.json").json()["paths"].items()
                  for op in ops.values() for tag in op["tags"][:1]}
    assert len(operations) >= 16
    assert {"conv2d_animation", "pool_animation", "activations"} <= set(operations)
    for operation, tag in operations.items():
        assert hasattr(mod(f"api.{tag}.{operation}"), "sync_detailed"), operation


def test_convolution_and_pooling_through_the_client(api):
    generated, mod = api
    models = mod("models")
    out = call(mod("api.convolution.conv2d"), generated, models.Conv2DRequest,
               input=[[0, 0, 1, 1], [0, 1, 6, 0], [3, 3, 2, 0], [1, 0, 2, 1]], kernel=[[2, 1, 3], [2, 0, 0], [1, 3, 2]],
               padding="same")
    assert out["output"] == [[2, 15, 19, 8], [15, 19, 15, 17], [6, 30, 22, 21], [12, 17, 8, 8]]
    assert out["steps"][5]["formula"] == ("(0×2 + 0×1 + 1×3) + (0×2 + 1×0 + 6×0) + (3×1 + 3×3 + 2×2) = 3 + 0 + 16 "
                                          "= 19")
    out = call(mod("api.convolution.pool"), generated, models.PoolRequest, input=THEANO, mode="average",
               padding="same")
    assert out["output"] == [[1.5, 1.75, 0.5], [1.5, 1.5, 2.5], [1, 0, 1]]


def test_animations_and_activations_through_the_client(api):
    generated, mod = api
    models = mod("models")
    body = models.ConvAnimationRequest.from_dict({
        "input": [[0, 0, 1, 1], [0, 1, 6, 0], [3, 3, 2, 0], [1, 0, 2, 1]], "kernel": [[2, 1, 3], [2, 0, 0], [1, 3, 2]],
        "padding": "same", "lang": "zh-TW"})
    response = mod("api.animations.conv2d_animation").sync_detailed(client=generated, body=body)
    assert response.status_code == 200 and response.headers["content-type"] == "image/gif"
    assert Image.open(io.BytesIO(response.content)).n_frames == 16
    body = models.PoolAnimationRequest.from_dict({"input": THEANO, "mode": "max", "format": "png"})
    response = mod("api.animations.pool_animation").sync_detailed(client=generated, body=body)
    assert response.status_code == 200 and response.content[:8] == b"\x89PNG\r\n\x1a\n"
    out = call(mod("api.activations.activations"), generated, models.ActivationRequest, name="hard_sigmoid",
               x=[-2.5, 1, 3], keras=3)
    assert out["keras"] == 3 and out["y"] == [pytest.approx(1 / 12), pytest.approx(2 / 3), 1] and out["dy"][2] == 0
    out = call(mod("api.activations.activations"), generated, models.ActivationRequest, name="softmax", x=[0, 0])
    assert out["jacobian"] == [[0.25, -0.25], [-0.25, 0.25]]


def test_backprop_through_the_client(api):
    generated, mod = api
    models = mod("models")
    lecture = {"input": [[0, 0, 1, 1], [0, 1, 6, 0], [3, 3, 2, 0], [1, 0, 2, 1]],
               "kernel": [[2, 1, 3], [2, 0, 0], [1, 3, 2]], "padding": "same"}
    dx = [[5, 8, 8, 4], [9, 14, 14, 9], [9, 14, 14, 9], [6, 8, 8, 5]]
    out = call(mod("api.backprop.conv2d_backward"), generated, models.Conv2DBackwardRequest, **lecture)
    assert out["grad_input"] == dx and out["grad_kernel"] == [[16, 17, 14], [19, 21, 17], [18, 19, 15]]
    assert out["grad_bias"] == [16]
    out = call(mod("api.backprop.conv2d_transpose"), generated, models.Conv2DTransposeRequest,
               input=[[1] * 4] * 4, kernel=lecture["kernel"], padding="same")
    assert out["output"] == dx
    out = call(mod("api.backprop.pool_backward"), generated, models.PoolBackwardRequest, input=THEANO, mode="max",
               strides=1)
    assert out["grad_input"] == [[1, 1, 0, 0, 0], [0, 0, 0, 4, 0], [2, 0, 3, 0, 1], [1, 1, 0, 2, 0], [0, 0, 0, 0, 0]]


def test_recurrent_layers_through_the_client(api):
    generated, mod = api
    models = mod("models")
    out = call(mod("api.recurrent.rnn"), generated, models.RNNRequest, inputs=[[1, 1], [2, 1], [1, 3]], units=2,
               kernel=[[1, 1], [1, 1]], recurrent_kernel=[[1, 1], [1, 1]], use_bias=False, activation="linear",
               output_layer={"kernel": [[1, 1], [1, 1]], "use_bias": False})
    assert out["outputs"] == [[4, 4], [14, 14], [36, 36]]
    out = call(mod("api.recurrent.lstm"), generated, models.LSTMRequest,
               inputs=[[3, 1, 0], [4, 1, 0], [2, 0, 0], [1, 0, 1], [3, -1, 0]], activation="linear",
               recurrent_activation="hard_sigmoid", kernel=[[0, 0, 1, 0], [100, 100, 0, 0], [0, 0, 0, 100]],
               recurrent_kernel=[[0, 0, 0, 0]], bias=[-10, 10, 0, -10])
    assert out["cell"] == [[3], [7], [7], [7], [0]] and out["hidden"] == [[0], [0], [0], [7], [0]]
    out = call(mod("api.recurrent.gru"), generated, models.GRURequest, inputs=[[1, 0], [0, 1]], units=2, seed=0)
    assert len(out["hidden"]) == 2


def test_mnist_architectures_and_examples_through_the_client(api):
    generated, mod = api
    models = mod("models")
    stroke = {"strokes": [[[140, 40], [140, 240]]], "width": 280, "height": 280}
    out = call(mod("api.mnist.predict"), generated, models.PredictRequest, **stroke)
    assert out["digit"] in range(10) and len(out["probabilities"]) == 10
    out = call(mod("api.mnist.trace"), generated, models.TraceRequest, **stroke, layer="conv1", index=[10, 10, 0])
    assert out["step"]["value"] == pytest.approx(out["model_value"], abs=1e-4)
    picture = io.BytesIO()
    image = Image.new("L", (100, 100), 255)
    ImageDraw.Draw(image).line([(50, 15), (50, 85)], fill=0, width=9)
    image.save(picture, "PNG")
    picture.seek(0)
    file = mod("types").File(payload=picture, file_name="one.png", mime_type="image/png")
    body = models.BodyPredictUpload(file=file, include_activations=False)
    response = mod("api.mnist.predict_upload").sync_detailed(client=generated, body=body)
    assert response.status_code == 200, response.content[:300]
    assert json.loads(response.content)["steps"]["polarity"] == "dark-on-light"
    assert call(mod("api.mnist.model_card"), generated)["name"]
    nets = call(mod("api.architectures.list_architectures"), generated)
    assert {n["id"] for n in nets} >= {"lenet5", "vgg16"}
    vgg = mod("api.architectures.get_architecture").sync_detailed("vgg16", client=generated)
    assert json.loads(vgg.content)["total_params"] == 138_357_544
    out = call(mod("api.architectures.shape"), generated, models.ShapeRequest, input_shape=[6, 6, 1],
               layers=[{"type": "Conv2D", "filters": 2, "kernel_size": 3}])
    assert out["output_shape"] == [4, 4, 2]
    examples = mod("api.examples.examples").sync_detailed(client=generated)
    assert examples.status_code == 200 and len(json.loads(examples.content)["examples"]) >= 10


def test_uploaded_models_through_the_client(api):
    """Upload the app's own CNN as a .keras file, then summary, predict on a drawing, trace and delete."""
    generated, mod = api
    models = mod("models")
    data = mod("api.mnist.model_keras").sync_detailed(client=generated)
    assert data.status_code == 200 and data.content[:2] == b"PK"
    file = mod("types").File(payload=io.BytesIO(data.content), file_name="mnist_cnn.keras")
    response = mod("api.models.upload_model").sync_detailed(client=generated, body=models.BodyUploadModel(file=file))
    assert response.status_code == 200, response.content[:300]
    summary = json.loads(response.content)
    assert summary["total_params"] == 293_546 and summary["input_kind"] == "image"
    model_id = summary["id"]
    again = mod("api.models.get_model_summary").sync_detailed(model_id, client=generated)
    assert json.loads(again.content) == summary
    stroke = {"strokes": [[[140, 40], [140, 240]]], "width": 280, "height": 280}
    body = models.ModelPredictRequest.from_dict(stroke)
    out = json.loads(mod("api.models.predict_model").sync_detailed(model_id, client=generated, body=body).content)
    assert len(out["output"]) == 10 and abs(sum(out["output"]) - 1) < 1e-9
    assert [layer["name"] for layer in out["layers"]] == [row["name"] for row in summary["layers"][1:]]
    body = models.ModelTraceRequest.from_dict({**stroke, "layer": "conv1", "index": [10, 10, 0]})
    got = json.loads(mod("api.models.trace_model").sync_detailed(model_id, client=generated, body=body).content)
    conv1 = next(layer for layer in out["layers"] if layer["name"] == "conv1")["array"]
    assert got["step"]["value"] == pytest.approx(conv1[10][10][0], abs=1e-12)
    assert "".join(got["step"]["terms"]) == got["step"]["formula"]
    gone = mod("api.models.delete_model").sync_detailed(model_id, client=generated)
    assert json.loads(gone.content) == {"id": model_id, "deleted": True}
    assert mod("api.models.get_model_summary").sync_detailed(model_id, client=generated).status_code == 404
