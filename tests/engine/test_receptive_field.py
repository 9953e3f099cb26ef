"""Receptive fields: the recurrence on hand-computed chains, the published figures, and every cell's exact
region checked by brute force (perturb one input pixel, see which cells change)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.engine import receptive_field as rf
from app.engine.architectures import catalog
from app.engine.architectures.walker import walk
from app.engine.errors import EngineError
from app.engine.nn import Sequential


def conv(k, s=1, padding="valid", d=1, filters=2):
    return {"type": "Conv2D", "filters": filters, "kernel_size": k, "strides": s, "padding": padding,
            "dilation_rate": d}


def pool(k, s=None, padding="valid", kind="MaxPooling2D"):
    return {"type": kind, "pool_size": k, "strides": s, "padding": padding}


def fields(input_shape, layers):
    return [(row["receptive_field"], row["jump"], row["rf_start"]) for row in walk(input_shape, layers)["layers"]]


# ---- the recurrence, by hand ------------------------------------------------------------------------

@pytest.mark.parametrize("layers, expected", [
    # two 3×3 convolutions see 5×5, three see 7×7
    ([conv(3), conv(3), conv(3)], [(3, 1, 0), (5, 1, 0), (7, 1, 0)]),
    # stride: 3 + (3 − 1)·2 = 7, and the jump doubles
    ([conv(3, s=2), conv(3)], [(3, 2, 0), (7, 2, 0)]),
    # dilation 2: a 3-tap kernel spans 5; then 5 + (3 − 1)·2·1 = 9
    ([conv(3, d=2), conv(3, d=2)], [(5, 1, 0), (9, 1, 0)]),
    # pooling is a window too: 2, jump 2; then 2 + (3 − 1)·2 = 6; pool 2 again: 6 + 1·2 = 8, jump 4
    ([pool(2), conv(3), pool(2)], [(2, 2, 0), (6, 2, 0), (8, 4, 0)]),
    # overlapping pool 3 stride 2 (AlexNet's): 11 + 2·4 = 19, jump 8
    ([conv(11, s=4), pool(3, 2)], [(11, 4, 0), (19, 8, 0)]),
    # 'same' padding moves where cell 0's field starts: −1, then −1 − 1·1 = −2
    ([conv(3, padding="same"), conv(3, padding="same")], [(3, 1, -1), (5, 1, -2)]),
    # an explicit 2 then a stride-2 conv with 1: start −2, then −2 − 1·1 = −3 with jump 2, then −3 − 1·2 = −5
    ([conv(5, padding=2), conv(3, s=2, padding=1), conv(3, padding=1)], [(5, 1, -2), (7, 2, -3), (11, 2, -5)]),
    # ZeroPadding2D moves the start and keeps r and j; activations and normalisation keep all three
    ([{"type": "ZeroPadding2D", "padding": 3}, conv(7, s=2), {"type": "ReLU"}, {"type": "BatchNormalization"}],
     [(1, 1, -3), (7, 2, -3), (7, 2, -3), (7, 2, -3)]),
])
def test_hand_computed_chains(layers, expected):
    assert fields([32, 32, 3], layers) == expected


def test_non_square_windows_give_pairs():
    got = fields([20, 30, 1], [conv([5, 3]), pool([2, 3], [2, 3]), conv(3)])
    # rows: 5, 6 (j 2), 6 + 2·2 = 10; columns: 3, 3 + 2 = 5 (j 3), 5 + 2·3 = 11
    assert got == [([5, 3], 1, 0), ([6, 5], [2, 3], 0), ([10, 11], [2, 3], 0)]


def test_tensorflow_same_with_stride_puts_the_extra_row_at_the_bottom():
    # n = 8, k = 3, s = 2: out 4, total padding (4 − 1)·2 + 3 − 8 = 1 -> top 0, bottom 1: field starts at 0
    row = walk([8, 8, 1], [conv(3, s=2, padding="same")])["layers"][0]
    assert (row["receptive_field"], row["jump"], row["rf_start"]) == (3, 2, 0)
    # its last cell reaches the padding row: unclipped [6, 9), exactly [6, 8)
    f = rf.field_window(rf.field_input(8, 8), (3, 3), (2, 2), (1, 1), 0, 0, (4, 4))
    assert rf.cell_region(f, 3, 3) == {"region": [6, 6, 8, 8], "unclipped": [6, 6, 9, 9]}


def test_global_pooling_flatten_and_dense_see_the_whole_map():
    # after conv 3 (r 3, j 1) the map is 6×6: a window as large as the map: 3 + (6 − 1)·1 = 8 = the input
    for reader in ({"type": "GlobalAveragePooling2D"}, {"type": "GlobalMaxPooling2D"}, {"type": "Flatten"}):
        rows = walk([8, 8, 1], [conv(3), reader, {"type": "Dense", "units": 4}])["layers"]
        assert [(r["receptive_field"], r["jump"], r["rf_start"]) for r in rows] == [(3, 1, 0), (8, 6, 0), (8, 6, 0)]
        assert rows[1]["rf_region"] == {"cell": None, "region": [0, 0, 8, 8], "unclipped": [0, 0, 8, 8]}
    # with padding the union reaches past the picture; the exact region stays inside it. 'same' pads 1 on top,
    # then (stride 2 on 8: total (4 − 1)·2 + 3 − 8 = 1) 0 on top: start −1, r = 5 + (4 − 1)·2 = 11
    rows = walk([8, 8, 1], [conv(3, padding="same"), conv(3, s=2, padding="same"), {"type": "Flatten"}])["layers"]
    assert (rows[2]["receptive_field"], rows[2]["jump"], rows[2]["rf_start"]) == (11, 8, -1)
    assert rows[2]["rf_region"]["region"] == [0, 0, 8, 8]
    assert rows[2]["rf_region"]["unclipped"] == [-1, -1, 10, 10]


def test_dense_on_a_map_is_a_one_by_one_convolution():
    rows = walk([6, 6, 3], [conv(3), {"type": "Dense", "units": 5}])["layers"]
    assert (rows[1]["receptive_field"], rows[1]["jump"], rows[1]["rf_region"]["cell"]) == (3, 1, [1, 1])


def test_adaptive_pooling_windows():
    # 6 -> 6 is the identity, 6 -> 3 is k = s = 2, 5 -> 3 has windows [0, 2), [1, 4), [3, 5): k 3, steps 1, 2
    assert fields([6, 6, 1], [{"type": "AdaptiveAvgPool2d", "output_size": 6}]) == [(1, 1, 0)]
    assert fields([6, 6, 1], [{"type": "AdaptiveAvgPool2d", "output_size": 3}]) == [(2, 2, 0)]
    assert fields([5, 5, 1], [{"type": "AdaptiveAvgPool2d", "output_size": 3}]) == [(3, 2, 0)]
    a = rf.axis_adaptive(rf.axis_input(5), 3)
    assert a.lo.tolist() == [0, 1, 3] and a.hi.tolist() == [2, 4, 5]
    # uneven windows: the unclipped box is the cell's own window (9 -> 5: [3, 6) for cell 2), at most r wide
    row = walk([9, 6, 1], [{"type": "AdaptiveAvgPool2d", "output_size": 5}])["layers"][0]
    assert (row["receptive_field"], row["jump"]) == ([3, 2], [2, 1])  # rows: sizes 2, 3, 3, 3, 2; starts 0, 1, 3, 5, 7
    assert row["rf_region"] == {"cell": [2, 2], "region": [3, 2, 6, 4], "unclipped": [3, 2, 6, 4]}


def test_merges_take_the_union_of_their_branches():
    # Inception-like: 1×1, 3×3 'same', 5×5 'same', pool 3 'same' then 1×1: the union is the 5×5's field
    block = {"type": "Concatenate", "branches": [
        [conv(1)], [conv(1), conv(3, padding="same")], [conv(5, padding="same")],
        [pool(3, 1, padding="same"), conv(1)]]}
    rows = walk([16, 16, 3], [block])["layers"]
    merge = rows[-1]
    assert (merge["type"], merge["receptive_field"], merge["jump"], merge["rf_start"]) == ("Concatenate", 5, 1, -2)
    # a residual block with an identity shortcut: two 3×3 'same' on the main path -> 5, start −2
    res = {"type": "Add", "branches": [[conv(3, padding="same", filters=3), conv(3, padding="same", filters=3)], []]}
    after_pool = walk([16, 16, 3], [pool(2), res])["layers"]
    assert (after_pool[-1]["receptive_field"], after_pool[-1]["jump"], after_pool[-1]["rf_start"]) == (10, 2, -4)
    # branch rows carry their own fields
    assert [r["receptive_field"] for r in rows if r["branch"] == 2] == [5]


def test_union_of_branches_with_different_jumps():
    x = rf.axis_input(8)
    a = rf.axis_window(x, 2, 2, 1, 0, 4)   # cell i: [2i, 2i + 2), j 2
    b = rf.axis_window(x, 3, 1, 1, 0, 4)   # cell i: [i, i + 3), j 1
    u = rf.axis_union([a, b])
    # cell 0: [0, 3) -> 3; cell 3: [6, 8) ∪ [3, 6) -> [3, 8) = 5: the largest union, at the last cell
    assert (u.r, u.j, u.start) == (5, 2, 0)
    assert u.lo.tolist() == [0, 1, 2, 3] and u.hi.tolist() == [3, 4, 6, 8]


def test_a_cell_that_sees_only_padding_sees_nothing():
    rows = walk([4, 4, 1], [conv(1, padding=2)])["layers"]
    f = rf.field_window(rf.field_input(4, 4), (1, 1), (1, 1), (1, 1), 2, 2, (8, 8))
    assert rf.cell_region(f, 0, 3) == {"region": None, "unclipped": [-2, 1, -1, 2]}
    assert rf.cell_region(f, 2, 3) == {"region": [0, 1, 1, 2], "unclipped": [0, 1, 1, 2]}
    assert rows[0]["rf_region"]["region"] == [1, 1, 2, 2]  # centre cell (3, 3) sees input pixel (1, 1)


def test_flat_inputs_have_no_receptive_field():
    row = walk([10], [{"type": "Dense", "units": 3}])["layers"][0]
    assert (row["receptive_field"], row["jump"], row["rf_start"], row["rf_region"]) == (None, None, None, None)


# ---- published figures ------------------------------------------------------------------------------

@pytest.mark.parametrize("net_id, layer, r, j", [
    # Araujo, Norris & Sim (2019), Computing Receptive Fields of Convolutional Neural Networks, Distill,
    # Table 1: VGG 16 212, ResNet 50 483, AlexNet 195 (their final convolutional or pooling layers)
    ("vgg16", "block5_pool", 212, 32),
    ("resnet50", "conv5_block3_out", 483, 32),
    ("alexnet", "features.12", 195, 32),
    ("lenet5", "S4", 16, 4),
])
def test_published_figures(net_id, layer, r, j):
    row = next(x for x in catalog.network(net_id)["layers"] if x["name"] == layer)
    assert (row["receptive_field"], row["jump"]) == (r, j)


def test_vgg16_grows_block_by_block():
    rows = {x["name"]: x for x in catalog.network("vgg16")["layers"]}
    assert [rows[f"block{b}_pool"]["receptive_field"] for b in range(1, 6)] == [6, 16, 44, 100, 212]
    assert rows["block1_conv2"]["receptive_field"] == 5  # two 3×3 see 5×5
    # the centre cell of block5_pool (3, 3) sees [−90 + 3·32, −90 + 3·32 + 212) = [6, 218): inside the picture
    assert rows["block5_pool"]["rf_region"] == {"cell": [3, 3], "region": [6, 6, 218, 218],
                                                "unclipped": [6, 6, 218, 218]}
    assert rows["fc1"]["rf_region"]["region"] == [0, 0, 224, 224]


def test_every_reference_layer_follows_the_recurrence():
    """Each conv or pool on a network's main path: r = r_prev + (k − 1)·d·j_prev, j = j_prev·s,
    start = start_prev − p·j_prev, from the row before it on the main path (merges included)."""
    checked = 0
    for net_id in ("lenet5", "alexnet", "vgg16", "googlenet", "resnet50"):
        prev = (1, 1, 0)
        for row in (r for r in catalog.network(net_id)["layers"] if r["depth"] == 0):
            got = (row["receptive_field"], row["jump"], row["rf_start"])
            if row["type"] in ("Conv2D", "MaxPooling2D", "AveragePooling2D"):
                cfg = row["config"]
                k, d = cfg.get("kernel_size") or cfg["pool_size"], cfg.get("dilation_rate", [1, 1])
                r0, j0, s0 = prev
                assert got == (r0 + (k[0] - 1) * d[0] * j0, j0 * cfg["strides"][0], s0 - cfg["pads"]["top"] * j0), \
                    (net_id, row["name"])
                checked += 1
            prev = got
    assert checked == 4 + 8 + 18 + 7 + 2  # LeNet-5, AlexNet, VGG16, GoogLeNet and ResNet50's main paths


# ---- the window reductions ------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(4))
def test_window_reduce_matches_the_tap_loop(seed):
    rng = np.random.default_rng(seed)
    for _ in range(300):
        n, k, d = int(rng.integers(1, 90)), int(rng.integers(1, 30)), int(rng.integers(1, 5))
        if (k - 1) * d + 1 > n:
            continue
        x = rng.integers(-50, 50, n).astype(np.int64)
        x[rng.random(n) < 0.2] = rf.EMPTY
        for op in (np.minimum, np.maximum):
            mine, ref = rf.window_reduce(x, k, d, op), rf.window_reduce_naive(x, k, d, op)
            assert np.array_equal(mine, ref), f"mine {mine} vs reference {ref} (n={n}, k={k}, d={d})"


# ---- a Sequential spec: the exact region of one cell, against brute force ----------------------------------

def random_spec(rng, size):
    """A small random conv/pool/relu stack that keeps a map of at least 1×1."""
    spec = []
    for i in range(int(rng.integers(2, 6))):
        kind = "conv2d" if i == 0 else rng.choice(["conv2d", "conv2d", "maxpool2d", "relu"])
        if kind == "conv2d":
            k = [int(rng.integers(1, 4)), int(rng.integers(1, 4))]
            s, d = [int(rng.integers(1, 3)), int(rng.integers(1, 3))], [1, 1]
            if rng.random() < 0.3:
                s, d = [1, 1], [int(rng.integers(1, 3)), int(rng.integers(1, 3))]
            padding = [str(rng.choice(["valid", "same"])), int(rng.integers(0, 3))][int(rng.integers(0, 2))]
            layer = {"name": f"conv{i}", "kind": "conv2d", "filters": 2, "kernel_size": k, "strides": s,
                     "padding": padding, "dilation": d}
        elif kind == "maxpool2d":
            k = [int(rng.integers(2, 4))] * 2
            layer = {"name": f"pool{i}", "kind": "maxpool2d", "pool_size": k,
                     "strides": [int(rng.integers(1, 4))] * 2}
        else:
            layer = {"name": f"relu{i}", "kind": "relu"}
        trial = spec + [layer]
        try:
            rf.sequential_fields(trial, (size, size, 1))  # refuses a layer that leaves an empty map
        except EngineError:
            continue
        spec = trial
    assert spec and spec[0]["kind"] == "conv2d"
    return spec


def brute_force_boxes(spec, size, seed):
    """For every layer: which input pixels change each cell (weights > 0, inputs > 0, so every path counts)."""
    model = Sequential(spec, input_shape=(size, size, 1), seed=seed, dtype=np.float64)
    rng = np.random.default_rng(seed)
    model.params = {k: (rng.uniform(0.5, 1.0, v.shape) if k.endswith(".W") else np.zeros(v.shape))
                    for k, v in model.params.items()}
    base = rng.uniform(0.1, 1.0, (size, size))
    batch = np.repeat(base[None], size * size + 1, axis=0)
    for p in range(size * size):
        batch[p + 1, p // size, p % size] += 1e8  # large enough to win every max it takes part in
    acts = model.forward_with_activations(batch)[:-1]
    out = {}
    for layer, act in zip(spec, acts, strict=True):
        a = act["array"]
        changed = (np.abs(a[1:] - a[:1]) > 1e-3).any(axis=-1)            # (pixels, oh, ow)
        out[layer["name"]] = changed.reshape(size, size, *changed.shape[1:])  # (row, col, oh, ow)
    return out


@pytest.mark.parametrize("seed", range(12))
def test_sequential_region_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(7, 13))
    spec = random_spec(rng, size)
    changed = brute_force_boxes(spec, size, seed)
    checked = 0
    for layer in spec:
        m = changed[layer["name"]]
        for i in range(m.shape[2]):
            for j in range(m.shape[3]):
                got = rf.sequential_region(spec, (size, size), layer["name"], i, j)
                rows, cols = np.flatnonzero(m[:, :, i, j].any(axis=1)), np.flatnonzero(m[:, :, i, j].any(axis=0))
                want = None if rows.size == 0 else [int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1]
                assert got["region"] == want, f"{layer['name']} ({i}, {j}): mine {got['region']} vs brute force " \
                                              f"{want}; spec {json.dumps(spec)}"
                top, left, bottom, right = got["unclipped"]
                assert (bottom - top, right - left) == tuple(np.broadcast_to(got["receptive_field"], 2))
                if want is not None:  # the exact box lies inside the unclipped one
                    assert top <= want[0] and left <= want[1] and want[2] <= bottom and want[3] <= right
                checked += 1
    assert checked > 0


def test_mnist_model_regions():
    card = json.loads(catalog.MNIST_CARD.read_text(encoding="utf-8"))
    spec = [entry["spec"] for entry in card["architecture"]]
    # conv1 5×5: cell (0, 0) sees rows and columns 0..4; pool1 (2×2 of conv1): 6×6 from (2i, 2j)
    assert rf.sequential_region(spec, (28, 28), "conv1", 0, 0)["region"] == [0, 0, 5, 5]
    got = rf.sequential_region(spec, (28, 28, 1), "pool1", 3, 5)
    assert got["region"] == [6, 10, 12, 16] and got["receptive_field"] == 6 and got["jump"] == 2
    # conv3 (after conv2): 6 + 2·2 + 2·2 = 14; pool2's last cell (3, 3) ends at the picture's edge
    assert rf.sequential_region(spec, (28, 28), "conv3", 7, 7)["region"] == [14, 14, 28, 28]
    last = rf.sequential_region(spec, (28, 28), "pool2", 3, 3)
    assert last == {"layer": "pool2", "cell": [3, 3], "input_shape": [28, 28], "output_shape": [4, 4, 64],
                    "region": [12, 12, 28, 28], "unclipped": [12, 12, 28, 28], "receptive_field": 16, "jump": 4,
                    "rf_start": 0}
    # the explorer's centre cell for the same network gives the same region
    walked = {r["name"]: r for r in catalog.network("mnist")["layers"]}
    for name in ("conv1", "pool1", "conv2", "conv3", "pool2"):
        cell = walked[name]["rf_region"]["cell"]
        assert rf.sequential_region(spec, (28, 28), name, *cell)["region"] == walked[name]["rf_region"]["region"]


@pytest.mark.parametrize("layer, i, j, field, rule", [
    ("conv9", 0, 0, "layer", "must be one of conv1, relu1, pool1"),
    (3, 0, 0, "layer", "must be a layer name"),
    ("fc1", 0, 0, "layer", "is a flat vector, not a feature map"),
    ("conv1", 24, 0, "i", "must be between 0 and 23"),
    ("pool2", 0, -1, "j", "must be between 0 and 3"),
    ("conv1", True, 0, "i", "must be an integer"),
    ("conv1", 0, 1.5, "j", "must be an integer"),
])
def test_sequential_region_errors(layer, i, j, field, rule):
    card = json.loads(catalog.MNIST_CARD.read_text(encoding="utf-8"))
    spec = [entry["spec"] for entry in card["architecture"]]
    with pytest.raises(EngineError) as err:
        rf.sequential_region(spec, (28, 28), layer, i, j)
    assert err.value.field == field and err.value.rule.startswith(rule)


# ---- the walker's exact regions against a per-cell set walk ----------------------------------------------

def _sets_after(row, cfg_layer, sets_in, n_in):
    """Per axis: for every output cell, the set of input pixels it depends on (padding depends on none),
    written cell by cell from each layer's windows, without the engine's arrays."""
    kind, (oh, ow) = row["type"], row["output_shape"][:2] if len(row["output_shape"]) == 3 else (1, 1)
    out = []
    for axis, (n_out, sets) in enumerate(zip((oh, ow), sets_in, strict=True)):
        n = n_in[axis]
        cfg = row["config"] or {}
        if kind in ("Conv2D", "MaxPooling2D", "AveragePooling2D", "ZeroPadding2D"):
            k = (cfg.get("kernel_size") or cfg.get("pool_size") or [1, 1])[axis]
            s = (cfg.get("strides") or [1, 1])[axis]
            d = (cfg.get("dilation_rate") or [1, 1])[axis]
            pad = cfg["pads"]["top" if axis == 0 else "left"]
            windows = [[i * s + t * d - pad for t in range(k)] for i in range(n_out)]
        elif kind == "AdaptiveAvgPool2d":
            windows = [list(range(i * n // n_out, -(-(i + 1) * n // n_out))) for i in range(n_out)]
        elif kind in ("GlobalAveragePooling2D", "GlobalMaxPooling2D", "Flatten"):
            windows = [list(range(n))]
        else:
            windows = [[i] for i in range(n_out)]
        out.append([frozenset().union(*(sets[p] for p in w if 0 <= p < n)) for w in windows])
    return out


def _walk_sets(layers, rows, at, sets):
    """Walk a description beside the walker's rows (branches first, then their merge), setting row["_sets"]."""
    for layer in layers:
        if layer["type"] in ("Concatenate", "Add"):
            ends = [_walk_sets(branch, rows, at, sets) for branch in layer["branches"]]
            row = rows[at[0]]
            at[0] += 1
            sets = [[frozenset().union(*(e[axis][i] for e in ends)) for i in range(len(ends[0][axis]))]
                    for axis in (0, 1)]
        else:
            row = rows[at[0]]
            at[0] += 1
            if len(row["input_shape"]) == 3:
                sets = _sets_after(row, layer, sets, row["input_shape"][:2])
        row["_sets"] = sets
    return sets


@pytest.mark.parametrize("seed", range(6))
def test_walker_regions_match_a_per_cell_set_walk(seed):
    rng = np.random.default_rng(seed)

    def layer(depth=0):
        t = str(rng.choice(["Conv2D", "MaxPooling2D", "AveragePooling2D", "ZeroPadding2D", "AdaptiveAvgPool2d",
                            "ReLU", "Concatenate", "Add", "GlobalMaxPooling2D", "Flatten"]))
        if t == "Conv2D":
            out = conv([int(rng.integers(1, 4)), int(rng.integers(1, 4))], s=int(rng.integers(1, 3)),
                       padding=[str(rng.choice(["valid", "same"])), int(rng.integers(0, 4))][int(rng.integers(0, 2))])
            if rng.random() < 0.3:
                out["strides"], out["dilation_rate"] = 1, [int(rng.integers(1, 4)), 1]
            return out
        if t in ("MaxPooling2D", "AveragePooling2D"):
            return {**pool(int(rng.integers(2, 4)), int(rng.integers(1, 4)), str(rng.choice(["valid", "same"])), t),
                    "ceil_mode": bool(rng.random() < 0.3)}
        if t == "ZeroPadding2D":
            return {"type": t, "padding": [[int(rng.integers(0, 3)), int(rng.integers(0, 3))]] * 2}
        if t == "AdaptiveAvgPool2d":
            return {"type": t, "output_size": int(rng.integers(1, 8))}
        if t in ("Concatenate", "Add") and depth == 0:
            same = [conv(3, padding="same", filters=2), pool(3, 1, "same"), conv(1, filters=2)]
            return {"type": t, "branches": [[same[int(rng.integers(0, 3))]], []]}
        return {"type": "ReLU"} if t in ("Concatenate", "Add") else {"type": t}

    checked = 0
    while checked < 40:
        h, w = int(rng.integers(3, 16)), int(rng.integers(3, 16))
        layers = [layer() for _ in range(int(rng.integers(1, 5)))]
        try:
            rows = walk([h, w, 2], layers)["layers"]
        except EngineError:
            continue
        _walk_sets(layers, rows, [0], [[frozenset([i]) for i in range(h)], [frozenset([j]) for j in range(w)]])
        for row in rows:
            cell = row["rf_region"]["cell"] or [0, 0]
            rs, cs = row["_sets"][0][cell[0]], row["_sets"][1][cell[1]]
            want = [min(rs), min(cs), max(rs) + 1, max(cs) + 1] if rs and cs else None
            assert row["rf_region"]["region"] == want, (row["name"], row["rf_region"], want, layers)
            checked += 1
