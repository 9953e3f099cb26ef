import json

import numpy as np
import pytest

from app.engine.architectures import catalog
from app.engine.architectures.data import NETWORKS
from app.engine.architectures.walker import conv_link, walk
from app.engine.conv import run_conv2d
from app.engine.errors import EngineError
from app.engine.nn import Sequential
from app.engine.pool import run_pool


def by_name(net):
    return {row["name"]: row for row in net["layers"]}


# ---- the acceptance totals ---------------------------------------------------------------------------

@pytest.mark.parametrize(("net_id", "total", "trainable", "non_trainable"), [
    ("lenet5", 61_706, 61_706, 0),
    ("alexnet", 61_100_840, 61_100_840, 0),       # torchvision.models.alexnet
    ("vgg16", 138_357_544, 138_357_544, 0),       # keras.applications.VGG16
    ("googlenet", 6_624_904, 6_624_904, 0),       # torchvision.models.googlenet(aux_logits=False)
    ("resnet50", 25_636_712, 25_583_592, 53_120),  # keras.applications.ResNet50: model.summary()
])
def test_reference_totals(net_id, total, trainable, non_trainable):
    net = catalog.network(net_id)
    assert net["total_params"] == total
    assert net["trainable_params"] == trainable
    assert net["non_trainable_params"] == non_trainable
    assert sum(r["params"] for r in net["layers"]) == total
    assert net["output_shape"] == ([10] if net_id == "lenet5" else [1000])


def test_every_reference_cites_its_source():
    for net in NETWORKS.values():
        assert net["reference"]["text"] and net["reference"]["url"].startswith("http"), net["id"]


def test_layer_counts_match_the_references():
    # Keras' model.layers minus the InputLayer: VGG16 has 23, ResNet50 177
    assert len(catalog.network("vgg16")["layers"]) == 22
    assert len(catalog.network("resnet50")["layers"]) == 176
    convs = [r for r in catalog.network("googlenet")["layers"] if r["type"] == "Conv2D"]
    assert len(convs) == 57 and not any(r["config"]["use_bias"] for r in convs)


# ---- per-layer shapes and arithmetic -----------------------------------------------------------------

def test_lenet_shapes_and_formulas():
    rows = by_name(catalog.network("lenet5"))
    assert rows["C1"]["output_shape"] == [28, 28, 6]
    assert rows["C1"]["params_formula"] == "5·5·1·6 + 6 = 156"
    assert rows["C1"]["shape_formula"] == "32 − 5 + 1 = 28"
    assert rows["S2"]["output_shape"] == [14, 14, 6]
    assert rows["S2"]["shape_formula"] == "⌊(28 − 2) / 2⌋ + 1 = 14"
    assert rows["C3"]["output_shape"] == [10, 10, 16]
    assert rows["C3"]["params"] == 2_416 and rows["C3"]["params_formula"] == "5·5·6·16 + 16 = 2,416"
    assert rows["C3"]["macs"] == 10 * 10 * 16 * 5 * 5 * 6
    assert rows["C3"]["macs_formula"] == "10·10·16 · 5·5·6 = 240,000"
    assert rows["flatten"]["output_shape"] == [400]
    assert rows["C5"]["params_formula"] == "400·120 + 120 = 48,120"
    assert rows["F6"]["params"] == 10_164 and rows["output"]["params"] == 850


def test_vgg16_shapes():
    net = catalog.network("vgg16")
    rows = by_name(net)
    assert rows["block1_conv1"]["output_shape"] == [224, 224, 64]
    assert rows["block2_conv2"]["params_formula"] == "3·3·128·128 + 128 = 147,584"
    assert rows["block2_conv1"]["params_formula"] == "3·3·64·128 + 128 = 73,856"
    assert rows["block5_pool"]["output_shape"] == [7, 7, 512]
    assert rows["flatten"]["output_shape"] == [25_088]
    assert rows["fc1"]["params"] == 102_764_544
    assert [net["layers"][i]["name"] for i in net["largest_by_params"][:3]] == ["fc1", "fc2", "predictions"]
    assert net["layers"][net["largest_by_macs"][0]]["name"] in ("block1_conv2", "block2_conv2", "block3_conv2")
    assert net["total_macs"] == 15_470_264_320


def test_alexnet_shapes():
    rows = by_name(catalog.network("alexnet"))
    assert rows["features.0"]["output_shape"] == [55, 55, 64]
    assert rows["features.0"]["shape_formula"] == "⌊(224 + 2 + 2 − 11) / 4⌋ + 1 = 55"
    assert rows["features.2"]["output_shape"] == [27, 27, 64]
    assert rows["features.12"]["output_shape"] == [6, 6, 256]
    assert rows["flatten"]["output_shape"] == [9_216]
    assert rows["classifier.1"]["params_formula"] == "9,216·4,096 + 4,096 = 37,752,832"


def test_resnet50_blocks():
    net = catalog.network("resnet50")
    rows = by_name(net)
    assert rows["conv1_pad"]["output_shape"] == [230, 230, 3]
    assert rows["conv1_conv"]["output_shape"] == [112, 112, 64]
    assert rows["conv1_conv"]["params_formula"] == "7·7·3·64 + 64 = 9,472"
    assert rows["conv1_bn"]["params"] == 256 and rows["conv1_bn"]["trainable"] == 128
    assert rows["conv1_bn"]["non_trainable"] == 128 and rows["conv1_bn"]["params_formula"] == "4·64 = 256"
    assert rows["pool1_pool"]["output_shape"] == [56, 56, 64]
    add = rows["conv2_block1_add"]
    assert add["output_shape"] == [56, 56, 256]
    assert [b["identity"] for b in add["branches"]] == [False, False]  # projection shortcut
    assert [b["identity"] for b in rows["conv2_block2_add"]["branches"]] == [False, True]
    assert rows["conv2_block2_1_conv"]["block"] == "conv2_block2_add"
    assert rows["conv3_block1_0_conv"]["branch"] == 1 and rows["conv3_block1_0_conv"]["output_shape"] == [28, 28, 512]
    assert rows["conv4_block6_out"]["output_shape"] == [14, 14, 1024]
    assert rows["conv5_block3_out"]["output_shape"] == [7, 7, 2048]
    assert rows["avg_pool"]["output_shape"] == [2048]
    assert rows["predictions"]["params_formula"] == "2,048·1,000 + 1,000 = 2,049,000"
    merges = [node for node in net["tree"] if isinstance(node, dict)]
    assert len(merges) == 16  # 3 + 4 + 6 + 3 bottleneck blocks


def test_googlenet_inception_and_batchnorm_as_torchvision_counts():
    net = catalog.network("googlenet")
    rows = by_name(net)
    assert rows["conv1.conv"]["params_formula"] == "7·7·3·64 = 9,408"  # bias=False
    assert rows["conv1.bn"]["params"] == 128 and rows["conv1.bn"]["buffers"] == 128
    assert rows["maxpool1"]["output_shape"] == [56, 56, 64]  # ceil_mode: ⌈109 / 2⌉ + 1
    assert rows["maxpool1"]["shape_formula"] == "⌈(112 − 3) / 2⌉ + 1 = 56"
    assert rows["maxpool2"]["output_shape"] == [28, 28, 192]
    assert rows["inception3a"]["output_shape"] == [28, 28, 256]
    assert rows["inception3a"]["shape_formula"] == "64 + 128 + 32 + 32 = 256"
    assert rows["inception3b"]["output_shape"] == [28, 28, 480]
    assert rows["inception4e"]["output_shape"] == [14, 14, 832]
    assert rows["maxpool4"]["output_shape"] == [7, 7, 832]
    assert rows["inception5b"]["output_shape"] == [7, 7, 1024]
    assert rows["inception3a.branch4.0"]["output_shape"] == [28, 28, 192]
    assert rows["inception3a.branch2.1.conv"]["branch"] == 1
    assert net["buffers"] == 2 * sum(r["output_shape"][-1] for r in net["layers"] if r["type"] == "BatchNormalization")
    assert rows["fc"]["params"] == 1_025_000


# ---- the walker's rules against the engines that compute the numbers ---------------------------------

@pytest.mark.parametrize("seed", range(12))
def test_conv_and_pool_shapes_match_the_numeric_engines(seed):
    rng = np.random.default_rng(seed)
    h, w = rng.integers(5, 14, 2)
    k = [int(v) for v in rng.integers(1, 5, 2)]
    s = [int(v) for v in rng.integers(1, 4, 2)]
    padding = [None, "valid", "same", int(rng.integers(0, 3)), [[0, 1], [2, 0]]][seed % 5] or "valid"
    x = rng.integers(0, 9, (int(h), int(w))).tolist()
    net = walk([int(h), int(w), 1], [{"type": "Conv2D", "filters": 1, "kernel_size": k, "strides": s,
                                      "padding": padding}])
    mine = run_conv2d(input=x, kernel=np.ones(k).tolist(), strides=s, padding=padding, trace=False)
    assert net["layers"][0]["output_shape"][:2] == mine["output_shape"], (padding, k, s)
    assert net["layers"][0]["config"]["pads"] == mine["padding"]
    if padding in ("valid", "same"):
        net = walk([int(h), int(w), 1], [{"type": "MaxPooling2D", "pool_size": k, "strides": s, "padding": padding}])
        ref = run_pool(input=x, pool_size=k, strides=s, padding=padding, trace=False)
        assert net["layers"][0]["output_shape"][:2] == ref["output_shape"]


@pytest.mark.parametrize(("n", "k", "s", "p", "expected"), [
    (112, 3, 2, 0, 56), (56, 3, 2, 0, 28), (28, 3, 2, 0, 14), (14, 2, 2, 0, 7), (28, 3, 1, 1, 28),
    (5, 2, 2, 0, 3), (5, 2, 2, 1, 3),  # PyTorch drops a window that would start in the right padding
])
def test_ceil_mode_follows_pytorch(n, k, s, p, expected):
    net = walk([n, n, 1], [{"type": "MaxPooling2D", "pool_size": k, "strides": s, "padding": p, "ceil_mode": True}])
    assert net["layers"][0]["output_shape"] == [expected, expected, 1]


def test_batchnorm_counting_conventions():
    layers = [{"type": "Conv2D", "filters": 8, "kernel_size": 3, "use_bias": False}, {"type": "BatchNormalization"}]
    keras = walk([8, 8, 3], layers)
    torch = walk([8, 8, 3], layers, counting="torchvision")
    assert (keras["total_params"], keras["trainable_params"], keras["non_trainable_params"]) == (216 + 32, 232, 16)
    assert (torch["total_params"], torch["trainable_params"], torch["buffers"]) == (216 + 16, 232, 16)


def test_dense_acts_on_the_last_axis_as_in_keras():
    net = walk([5, 5, 16], [{"type": "Dense", "units": 10}])
    assert net["output_shape"] == [5, 5, 10]
    assert net["layers"][0]["params_formula"] == "16·10 + 10 = 170"
    assert net["layers"][0]["macs"] == 25 * 160


def test_zero_padding_and_global_pooling():
    net = walk([7, 9, 4], [{"type": "ZeroPadding2D", "padding": [[1, 2], [0, 3]]}, {"type": "GlobalAveragePooling2D"}])
    assert net["layers"][0]["output_shape"] == [10, 12, 4]
    assert net["layers"][0]["shape_formula"] == "H: 7 + 1 + 2 = 10; W: 9 + 0 + 3 = 12"
    assert net["output_shape"] == [4]


def test_identity_residual_and_concat():
    block = {"type": "Add", "name": "res", "branches": [
        [{"type": "Conv2D", "filters": 4, "kernel_size": 3, "padding": "same"}], []]}
    net = walk([6, 6, 4], [block, {"type": "Concatenate", "name": "cat", "branches": [
        [{"type": "Conv2D", "filters": 3, "kernel_size": 1}], [{"type": "MaxPooling2D", "pool_size": 3,
                                                             "strides": 1, "padding": "same"}]]}])
    assert net["output_shape"] == [6, 6, 7]
    assert net["tree"] == [{"merge": 1, "branches": [[0], []]}, {"merge": 4, "branches": [[2], [3]]}]
    assert net["layers"][1]["branches"] == [{"output_shape": [6, 6, 4], "identity": False},
                                            {"output_shape": [6, 6, 4], "identity": True}]


# ---- errors name the first layer that does not fit ---------------------------------------------------

@pytest.mark.parametrize(("input_shape", "layers", "field", "rule"), [
    ([6, 6, 1], [{"type": "Conv2D", "filters": 2, "kernel_size": 3}, {"type": "MaxPooling2D"},
                 {"type": "Conv2D", "filters": 2, "kernel_size": 5}],
     "layers.2", "kernel 5×5 larger than the 2×2 input"),
    ([4, 4, 1], [{"type": "MaxPooling2D", "pool_size": 5, "padding": 0}], "layers.0", "pool 5×5 larger than the 4×4"),
    ([10], [{"type": "Conv2D", "filters": 2, "kernel_size": 3}], "layers.0", "Conv2D needs an H×W×C input"),
    ([8, 8, 1], [{"type": "Flatten"}, {"type": "GlobalAveragePooling2D"}], "layers.1", "needs an H×W×C input"),
    ([8, 8, 1], [{"type": "Add", "branches": [[{"type": "Conv2D", "filters": 2, "kernel_size": 3}], []]}],
     "layers.0", "Add needs equal shapes, but branch 1 gives 8×8×1 and branch 0 gives 6×6×2"),
    ([8, 8, 1], [{"type": "Concatenate", "branches": [[{"type": "Conv2D", "filters": 2, "kernel_size": 3}], []]}],
     "layers.0", "Concatenate needs equal sizes except the channels"),
    ([8, 8, 1], [{"type": "Concatenate", "branches": [[], [{"type": "Conv2D", "filters": 2, "kernel_size": 9}]]}],
     "layers.0.branches.1.0", "kernel 9×9 larger than the 8×8 input"),
    ([8, 8, 1], [{"type": "Conv3D"}], "layers.0.type", "must be one of"),
    ([8, 8, 1], [{"type": "Conv2D", "filters": 0, "kernel_size": 3}], "layers.0.filters", "between 1 and"),
    ([8, 8, 1], [{"type": "Conv2D", "filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2}],
     "layers.0.dilation_rate", "cannot both be > 1"),
    ([8, 8, 1], [{"type": "Conv2D", "filters": 2, "kernel_size": 3, "padding": "full"}], "layers.0.padding", "must be"),
    ([8, 8, 1], [{"type": "Dense"}], "layers.0", "Dense needs units"),
    # fields read by app.engine.arrays' check_int / check_pair / check_bool, with their texts
    ([8, 8, 1], [{"type": "Dense", "units": 3, "use_bias": 1}], "layers.0.use_bias", "must be true or false"),
    ([8, 8, 1], [{"type": "MaxPooling2D", "ceil_mode": "yes"}], "layers.0.ceil_mode", "must be true or false"),
    ([8, 8, 1], [{"type": "Conv2D", "filters": 2, "kernel_size": [3, 3, 3]}], "layers.0.kernel_size",
     "must be an integer or a pair of integers"),
    ([8, 8, 1], [{"type": "Conv2D", "filters": 2, "kernel_size": [3, True]}], "layers.0.kernel_size.1",
     "must be an integer"),
    ([8, 8, 1], [{"type": "Conv2D", "filters": 2, "kernel_size": 65}], "layers.0.kernel_size", "between 1 and 64"),
    ([8, 8, 1], [{"type": "Dense", "units": 3, "kernel": 2}], "layers.0.kernel", "not a known field"),
    ([8, 8, 1], [{"type": "Add", "branches": [[]]}], "layers.0.branches", "2 to 8 branches"),
    ([8, 8], [{"type": "Flatten"}], "input_shape", "must be [height, width, channels]"),
    ([9000, 8, 1], [{"type": "Flatten"}], "input_shape.0", "between 1 and 2048"),
    ([8, 8, 1], [], "layers", "at least one layer"),
    ([8, 8, 1], [{"type": "Flatten"}] * 201, "layers", "the cap is 200"),
])
def test_errors_name_the_layer_and_rule(input_shape, layers, field, rule):
    with pytest.raises(EngineError) as info:
        walk(input_shape, layers)
    assert info.value.field == field
    assert rule in info.value.rule, info.value.rule


def test_nested_branches_count_toward_the_cap():
    deep = [{"type": "Add", "branches": [[{"type": "ReLU"}] * 100, [{"type": "ReLU"}] * 100]}]
    with pytest.raises(EngineError, match="201 layers"):
        walk([4, 4, 1], deep)


def test_huge_counts_are_refused():
    with pytest.raises(EngineError) as info:
        walk([2048, 2048, 4096], [{"type": "Conv2D", "filters": 4096, "kernel_size": 64, "padding": "same"}])
    assert info.value.field == "layers.0" and "cap" in info.value.rule


# ---- the conv page link ------------------------------------------------------------------------------

def test_conv_links_carry_the_layer_geometry():
    rows = by_name(catalog.network("alexnet"))
    link = rows["features.0"]["conv_link"]
    assert np.array(link["kernel"]).shape == (11, 11)
    assert link["strides"] == [4, 4] and link["padding"] == 2
    assert np.array(link["input"]).shape == (12, 12)
    assert rows["features.3"]["conv_link"]["padding"] == "same"  # 5×5, pad 2, stride 1
    vgg = by_name(catalog.network("vgg16"))["block1_conv1"]["conv_link"]
    assert vgg["padding"] == "same" and vgg["strides"] == [1, 1] and np.array(vgg["kernel"]).shape == (3, 3)
    assert by_name(catalog.network("lenet5"))["C1"]["conv_link"]["padding"] == "valid"
    # every link is a request /api/conv2d accepts, and gives the same output size as the layer would
    for net_id in NETWORKS:
        for row in catalog.network(net_id)["layers"]:
            if row["type"] != "Conv2D":
                continue
            link = row["conv_link"]
            assert link is not None, row["name"]
            assert len(link["input"]) <= 12 and len(link["kernel"]) <= 11
            run_conv2d(input=link["input"], kernel=link["kernel"], strides=link["strides"],
                       padding=link["padding"], trace=False)


def test_conv_link_is_left_out_when_the_kernel_is_too_big_for_the_conv_page():
    config = {"kernel_size": [13, 13], "strides": [1, 1], "dilation_rate": [1, 1], "padding": "valid",
              "pads": {"top": 0, "bottom": 0, "left": 0, "right": 0}}
    assert conv_link(config, 0) is None


# ---- the app's MNIST model, read from its model card -------------------------------------------------

def _card(tmp_path):
    from app.train import architecture

    model = Sequential(architecture(), (28, 28, 1), seed=0)
    card = {"name": "mnist_cnn", "input": {"shape": [28, 28, 1]}, "architecture": model.summary(),
            "total_params": model.num_params(), "test_accuracy": 0.9931}
    path = tmp_path / "mnist_cnn.json"
    path.write_text(json.dumps(card))
    return path, model


def test_mnist_model_is_read_from_its_card(tmp_path):
    path, model = _card(tmp_path)
    net = catalog.network("mnist", card=path)
    assert net["total_params"] == model.num_params()
    assert [r["output_shape"] for r in net["layers"]] == [list(s) for s in model.shapes]
    assert [r["params"] for r in net["layers"]] == list(model.param_counts().values())
    assert "99.31%" in net["reference"]["text"]
    assert catalog.summaries(card=path)[-1] == {"id": "mnist", "name": net["name"],
                                                "total_params": model.num_params()}


def test_mnist_entry_is_left_out_while_the_card_is_missing_or_broken(tmp_path):
    assert catalog.network("mnist", card=tmp_path / "none.json") is None
    assert [s["id"] for s in catalog.summaries(card=tmp_path / "none.json")] == list(NETWORKS)
    broken = tmp_path / "broken.json"
    broken.write_text('{"architecture": [')
    assert catalog.network("mnist", card=broken) is None


def test_branches_nest_at_most_four_deep():
    layers = [{"type": "ReLU"}]
    for _ in range(5):
        layers = [{"type": "Add", "branches": [layers, []]}]
    with pytest.raises(EngineError) as info:
        walk([4, 4, 1], layers)
    assert info.value.field == "layers.0" + ".branches.0.0" * 4 + ".branches.0"
    assert "nest more than 4 deep" in info.value.rule
    assert walk([4, 4, 1], layers[0]["branches"][0])["output_shape"] == [4, 4, 1]  # four deep is fine


@pytest.mark.parametrize("layer, field, rule", [
    ({"type": "Dropout", "rate": 1e308}, "layers.0.rate", "must be a number from 0 to 1, not 1 itself"),
    ({"type": "Dropout", "rate": 1}, "layers.0.rate", "must be a number from 0 to 1, not 1 itself"),
    ({"type": "Dropout", "rate": -0.1}, "layers.0.rate", "must be a number from 0 to 1, not 1 itself"),
    ({"type": "Dropout", "rate": "0.5"}, "layers.0.rate", "must be a number from 0 to 1, not 1 itself"),
    ({"type": "Dropout", "rate": True}, "layers.0.rate", "must be a number from 0 to 1, not 1 itself"),
    ({"type": "LRN", "size": 10 ** 30}, "layers.0.size", "must be between 1 and"),
    ({"type": "LRN", "size": 2.5}, "layers.0.size", "must be an integer"),
    ({"type": "LRN", "depth_radius": -1}, "layers.0.depth_radius", "must be between 0 and"),
    ({"type": "LRN", "alpha": [1e-4]}, "layers.0.alpha", "must be a number from 0 to 1000"),
    ({"type": "LRN", "beta": 1e9}, "layers.0.beta", "must be a number from 0 to 1000"),
])
def test_shape_keeping_settings_are_numbers_in_range(layer, field, rule):
    """Dropout's rate and LRN's constants are echoed in the layer's config: they are checked as numbers a framework
    would take (a rate of 1e308 or an LRN size of 10³⁰ came back as given)."""
    with pytest.raises(EngineError) as err:
        walk([8, 8, 16], [layer])
    assert err.value.field == field and err.value.rule.startswith(rule), err.value.rule


def test_alexnets_lrn_and_a_dropout_rate_come_back_as_given():
    out = walk([8, 8, 16], [{"type": "LRN", "size": 5, "alpha": 1e-4, "beta": 0.75, "k": 2},
                            {"type": "Dropout", "rate": 0.5}, {"type": "Dropout", "rate": 0}])
    assert [layer["config"] for layer in out["layers"]] == [{"size": 5, "alpha": 1e-4, "beta": 0.75, "k": 2},
                                                            {"rate": 0.5}, {"rate": 0}]
