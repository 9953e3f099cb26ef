import json

import pytest

from app.engine.architectures import catalog
from tests.conftest import assert_error

TOTALS = {"lenet5": 61_706, "alexnet": 61_100_840, "vgg16": 138_357_544, "googlenet": 6_624_904,
          "resnet50": 25_636_712}


def test_list(client):
    r = client.get("/api/architectures")
    assert r.status_code == 200
    listed = {n["id"]: n for n in r.json()}
    for net_id, total in TOTALS.items():
        assert listed[net_id]["total_params"] == total
        assert set(listed[net_id]) == {"id", "name", "total_params"}
    assert ("mnist" in listed) == (catalog.mnist_network() is not None)


@pytest.mark.parametrize("net_id", list(TOTALS))
def test_each_network(client, net_id):
    body = client.get(f"/api/architectures/{net_id}").json()
    assert body["id"] == net_id and body["total_params"] == TOTALS[net_id]
    assert body["trainable_params"] + body["non_trainable_params"] == body["total_params"]
    assert body["reference"]["url"].startswith("https://") or body["reference"]["url"].startswith("http://")
    for row in body["layers"]:
        assert {"name", "type", "output_shape", "params", "params_formula", "macs", "shape_formula"} <= set(row)
        if row["type"] == "Conv2D":
            assert row["params_formula"].endswith(f"= {row['params']:,}")
            assert set(row["conv_link"]) >= {"kernel", "strides", "padding", "input"}


def test_vgg16_layer_detail(client):
    rows = {r["name"]: r for r in client.get("/api/architectures/vgg16").json()["layers"]}
    assert rows["block5_pool"]["output_shape"] == [7, 7, 512]
    assert rows["block2_conv1"]["params_formula"] == "3·3·64·128 + 128 = 73,856"
    assert rows["block2_conv1"]["macs"] == 112 * 112 * 128 * 3 * 3 * 64


def test_resnet50_trainable_split(client):
    body = client.get("/api/architectures/resnet50").json()
    assert (body["trainable_params"], body["non_trainable_params"]) == (25_583_592, 53_120)


def test_unknown_network_is_404_in_the_error_shape(client):
    err = assert_error(client.get("/api/architectures/vgg19"), 404)
    assert "vgg19" in err["rule"]


def test_mnist_served_from_its_card(client, tmp_path, monkeypatch):
    from app.engine.nn import Sequential
    from app.train import architecture

    model = Sequential(architecture(), (28, 28, 1), seed=0)
    path = tmp_path / "mnist_cnn.json"
    path.write_text(json.dumps({"input": {"shape": [28, 28, 1]}, "architecture": model.summary(),
                                "total_params": model.num_params()}))
    monkeypatch.setattr(catalog, "MNIST_CARD", path)
    body = client.get("/api/architectures/mnist").json()
    assert body["total_params"] == model.num_params()
    assert client.get("/api/architectures").json()[-1]["id"] == "mnist"
    monkeypatch.setattr(catalog, "MNIST_CARD", tmp_path / "missing.json")
    assert_error(client.get("/api/architectures/mnist"), 404)
    assert "mnist" not in [n["id"] for n in client.get("/api/architectures").json()]


def test_shape_of_a_users_list(client):
    r = client.post("/api/architectures/shape", json={"input_shape": [32, 32, 1], "layers": [
        {"type": "Conv2D", "name": "C1", "filters": 6, "kernel_size": 5},
        {"type": "AveragePooling2D", "pool_size": 2},
        {"type": "Conv2D", "filters": 16, "kernel_size": 5}, {"type": "AveragePooling2D"},
        {"type": "Flatten"}, {"type": "Dense", "units": 120}, {"type": "Dense", "units": 84},
        {"type": "Dense", "units": 10}]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total_params"] == 61_706
    assert [row["output_shape"] for row in body["layers"][:5]] == [[28, 28, 6], [14, 14, 6], [10, 10, 16],
                                                                   [5, 5, 16], [400]]
    assert body["layers"][0]["name"] == "C1" and body["layers"][2]["name"] == "conv2d_2"


def test_shape_with_branches(client):
    r = client.post("/api/architectures/shape", json={"input_shape": [8, 8, 3], "counting": "torchvision", "layers": [
        {"type": "Concatenate", "name": "mix", "branches": [
            [{"type": "Conv2D", "filters": 4, "kernel_size": 1, "use_bias": False}, {"type": "BatchNormalization"}],
            [{"type": "MaxPooling2D", "pool_size": 3, "strides": 1, "padding": 1}]]}]})
    body = r.json()
    assert body["output_shape"] == [8, 8, 7]
    assert body["total_params"] == 12 + 8 and body["buffers"] == 8


@pytest.mark.parametrize(("body", "field", "rule"), [
    ({"input_shape": [6, 6, 1], "layers": [{"type": "Conv2D", "filters": 2, "kernel_size": 3},
                                           {"type": "MaxPooling2D"},
                                           {"type": "Conv2D", "filters": 2, "kernel_size": 5}]},
     "layers.2", "kernel 5×5 larger than the 2×2 input"),
    ({"input_shape": [6, 6, 1], "layers": [{"type": "Add", "branches": [
        [{"type": "Conv2D", "filters": 1, "kernel_size": 3}], []]}]}, "layers.0", "Add needs equal shapes"),
    ({"input_shape": [6, 6, 1], "layers": [{"type": "Pool"}]}, "layers.0.type", "must be one of"),
    ({"input_shape": [6, 6, 1], "layers": [{"type": "Flatten"}] * 201}, "layers", "at most 200"),
    ({"input_shape": [6, 6, 1], "layers": []}, "layers", "at least 1"),
    ({"input_shape": [6, 6, 1], "layers": [7]}, "layers.0", "must be an object"),
    ({"input_shape": ["6", 6, 1], "layers": [{"type": "Flatten"}]}, "input_shape.0", "must be an integer"),
    ({"input_shape": [6, 6, 99999], "layers": [{"type": "Flatten"}]}, "input_shape.2", "between 1 and 4096"),
    ({"input_shape": [6, 6, 1], "layers": [{"type": "Flatten"}], "counting": "caffe"}, "counting", "must be one of"),
    ({"input_shape": [6, 6, 1], "layers": [{"type": "Flatten"}], "extra": 1}, "extra", "not a known field"),
])
def test_shape_errors(client, body, field, rule):
    err = assert_error(client.post("/api/architectures/shape", json=body), 422, field)
    assert rule in err["rule"], err


def test_shape_truncated_json(client):
    r = client.post("/api/architectures/shape", content=b'{"input_shape": [6, 6', headers={"content-type":
                                                                                            "application/json"})
    assert_error(r, 400)


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/architectures", "/api/architectures/{net_id}", "/api/architectures/shape"} <= set(paths)


def test_receptive_fields_are_served(client):
    """Every layer carries receptive_field, jump, rf_start and the centre cell's region (issue 16)."""
    rows = {r["name"]: r for r in client.get("/api/architectures/vgg16").json()["layers"]}
    assert (rows["block5_pool"]["receptive_field"], rows["block5_pool"]["jump"]) == (212, 32)
    assert rows["block5_pool"]["rf_region"] == {"cell": [3, 3], "region": [6, 6, 218, 218],
                                                "unclipped": [6, 6, 218, 218]}
    body = client.post("/api/architectures/shape", json={"input_shape": [20, 30, 1], "layers": [
        {"type": "Conv2D", "filters": 2, "kernel_size": [5, 3]},
        {"type": "Conv2D", "filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"},
        {"type": "Flatten"}, {"type": "Dense", "units": 3}]}).json()
    got = [(r["receptive_field"], r["jump"], r["rf_start"]) for r in body["layers"]]
    # rows: 5; 5 + 2 = 7 (16 -> 8, 'same' pads 1 = total (8 − 1)·2 + 3 − 16 = 1 -> top 0); then 7 + 7·2 = 21
    # cols: 3; 28 -> 14, total (14 − 1)·2 + 3 − 28 = 1 -> left 0: 5; then 5 + 13·2 = 31
    assert got == [([5, 3], 1, 0), ([7, 5], 2, 0), ([21, 31], [16, 28], 0), ([21, 31], [16, 28], 0)]
    assert body["layers"][3]["rf_region"] == {"cell": None, "region": [0, 0, 20, 30], "unclipped": [0, 0, 21, 31]}


def test_receptive_fields_over_http(client):
    """Every layer says how far one of its neurons sees; VGG16's last pooling layer sees 212×212 (the published
    figure), and a hand-made chain gives the recurrence's numbers."""
    vgg = {row["name"]: row for row in client.get("/api/architectures/vgg16").json()["layers"]}
    assert vgg["block5_pool"]["receptive_field"] == 212 and vgg["block5_pool"]["jump"] == 32
    body = {"input_shape": [32, 32, 1], "layers": [
        {"type": "Conv2D", "filters": 1, "kernel_size": 3}, {"type": "Conv2D", "filters": 1, "kernel_size": 3},
        {"type": "MaxPooling2D", "pool_size": 2}, {"type": "Conv2D", "filters": 1, "kernel_size": [3, 5],
                                                    "dilation_rate": 2}]}
    rows = client.post("/api/architectures/shape", json=body).json()["layers"]
    assert [r["receptive_field"] for r in rows] == [3, 5, 6, [14, 22]]
    assert [r["jump"] for r in rows] == [1, 1, 2, 2]


def test_the_mnist_trace_says_what_the_cell_sees(client):
    body = {"strokes": [[[140, 40], [140, 240]]], "width": 280, "height": 280, "layer": "conv3", "index": [3, 4, 1]}
    seen = client.post("/api/mnist/trace", json=body).json()["receptive_field"]
    assert seen == {"region": [6, 8, 20, 22], "unclipped": [6, 8, 20, 22], "receptive_field": 14, "jump": 2}
