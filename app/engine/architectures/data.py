"""The reference networks as descriptions for walker.walk, each citing the build it matches exactly.

Layer names are the reference's own: Keras layer names for VGG16 and ResNet50, torchvision module
paths for AlexNet and GoogLeNet, the figure's labels (C1, S2, ...) for LeNet-5.
"""

from __future__ import annotations


def conv(name, filters, k, strides=1, padding="valid", activation=None, use_bias=True):
    layer = {"type": "Conv2D", "name": name, "filters": filters, "kernel_size": k, "strides": strides,
             "padding": padding, "use_bias": use_bias}
    if activation:
        layer["activation"] = activation
    return layer


def dense(name, units, activation=None):
    return {"type": "Dense", "name": name, "units": units, **({"activation": activation} if activation else {})}


def pool(name, k, strides=None, padding="valid", kind="MaxPooling2D", ceil_mode=False):
    layer = {"type": kind, "name": name, "pool_size": k, "strides": strides, "padding": padding}
    if ceil_mode:
        layer["ceil_mode"] = True
    return layer


def relu(name):
    return {"type": "ReLU", "name": name}


# ---- LeNet-5 ----------------------------------------------------------------------------------------

LENET5 = {
    "id": "lenet5", "name": "LeNet-5",
    "reference": {
        "text": "LeCun, Bottou, Bengio & Haffner (1998), Gradient-based learning applied to document recognition, "
                "Proc. IEEE 86(11), Fig. 2 — as commonly rebuilt in Keras: tanh, parameter-free 2×2 average "
                "pooling, C3 connected to all 6 maps, C5 as Dense(120) after Flatten (the same 48,120 weights "
                "as a 5×5 convolution on the 5×5×16 map).",
        "url": "http://yann.lecun.com/exdb/publis/pdf/lecun-98.pdf",
    },
    "counting": "keras", "input_shape": [32, 32, 1],
    "layers": [
        conv("C1", 6, 5, activation="tanh"),
        pool("S2", 2, kind="AveragePooling2D"),
        conv("C3", 16, 5, activation="tanh"),
        pool("S4", 2, kind="AveragePooling2D"),
        {"type": "Flatten", "name": "flatten"},
        dense("C5", 120, "tanh"),
        dense("F6", 84, "tanh"),
        dense("output", 10, "softmax"),
    ],
}

# ---- AlexNet (torchvision's single-stream variant) --------------------------------------------------

ALEXNET = {
    "id": "alexnet", "name": "AlexNet",
    "reference": {
        "text": "torchvision.models.alexnet (61,100,840 parameters), the single-stream variant of "
                "Krizhevsky, Sutskever & Hinton (2012) following Krizhevsky (2014), One weird trick for "
                "parallelizing convolutional neural networks (arXiv:1404.5997): 64-192-384-256-256 filters, "
                "no LRN, 224×224×3 input.",
        "url": "https://github.com/pytorch/vision/blob/main/torchvision/models/alexnet.py",
    },
    "counting": "torchvision", "input_shape": [224, 224, 3],
    "layers": [
        conv("features.0", 64, 11, strides=4, padding=2), relu("features.1"),
        pool("features.2", 3, 2),
        conv("features.3", 192, 5, padding=2), relu("features.4"),
        pool("features.5", 3, 2),
        conv("features.6", 384, 3, padding=1), relu("features.7"),
        conv("features.8", 256, 3, padding=1), relu("features.9"),
        conv("features.10", 256, 3, padding=1), relu("features.11"),
        pool("features.12", 3, 2),
        {"type": "AdaptiveAvgPool2d", "name": "avgpool", "output_size": 6},
        {"type": "Flatten", "name": "flatten"},
        {"type": "Dropout", "name": "classifier.0", "rate": 0.5},
        dense("classifier.1", 4096), relu("classifier.2"),
        {"type": "Dropout", "name": "classifier.3", "rate": 0.5},
        dense("classifier.4", 4096), relu("classifier.5"),
        dense("classifier.6", 1000),
    ],
}

# ---- VGG16 (keras.applications) ---------------------------------------------------------------------


def _vgg_block(b, filters, n):
    return [conv(f"block{b}_conv{i}", filters, 3, padding="same", activation="relu") for i in range(1, n + 1)] + [
        pool(f"block{b}_pool", 2, 2)]


VGG16 = {
    "id": "vgg16", "name": "VGG16",
    "reference": {
        "text": "keras.applications.VGG16(include_top=True, weights=None): Simonyan & Zisserman (2015), "
                "Very Deep Convolutional Networks for Large-Scale Image Recognition (configuration D).",
        "url": "https://github.com/keras-team/keras/blob/master/keras/src/applications/vgg16.py",
    },
    "counting": "keras", "input_shape": [224, 224, 3],
    "layers": [
        *_vgg_block(1, 64, 2), *_vgg_block(2, 128, 2), *_vgg_block(3, 256, 3), *_vgg_block(4, 512, 3),
        *_vgg_block(5, 512, 3),
        {"type": "Flatten", "name": "flatten"},
        dense("fc1", 4096, "relu"), dense("fc2", 4096, "relu"), dense("predictions", 1000, "softmax"),
    ],
}

# ---- GoogLeNet (torchvision, no auxiliary heads) ----------------------------------------------------


def _basic(name, filters, k, strides=1, padding=0):
    """torchvision's BasicConv2d: Conv2d(bias=False), BatchNorm2d(eps=0.001), then F.relu."""
    return [conv(f"{name}.conv", filters, k, strides=strides, padding=padding, use_bias=False),
            {"type": "BatchNormalization", "name": f"{name}.bn", "epsilon": 0.001, "activation": "relu"}]


def _inception(name, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
    return {"type": "Concatenate", "name": name, "branches": [
        _basic(f"{name}.branch1", ch1x1, 1),
        _basic(f"{name}.branch2.0", ch3x3red, 1) + _basic(f"{name}.branch2.1", ch3x3, 3, padding=1),
        # torchvision keeps a 3×3 here where the paper has 5×5 (a known slip kept for its pretrained weights)
        _basic(f"{name}.branch3.0", ch5x5red, 1) + _basic(f"{name}.branch3.1", ch5x5, 3, padding=1),
        [pool(f"{name}.branch4.0", 3, 1, padding=1, ceil_mode=True)] + _basic(f"{name}.branch4.1", pool_proj, 1),
    ]}


GOOGLENET = {
    "id": "googlenet", "name": "GoogLeNet",
    "reference": {
        "text": "torchvision.models.googlenet(aux_logits=False, init_weights=True) (6,624,904 parameters): "
                "Szegedy et al. (2015), Going Deeper with Convolutions, Inception v1, with batch "
                "normalisation after every convolution. PyTorch counts BatchNorm's running mean and "
                "variance as buffers, not parameters.",
        "url": "https://github.com/pytorch/vision/blob/main/torchvision/models/googlenet.py",
    },
    "counting": "torchvision", "input_shape": [224, 224, 3],
    "layers": [
        *_basic("conv1", 64, 7, strides=2, padding=3),
        pool("maxpool1", 3, 2, ceil_mode=True),
        *_basic("conv2", 64, 1),
        *_basic("conv3", 192, 3, padding=1),
        pool("maxpool2", 3, 2, ceil_mode=True),
        _inception("inception3a", 64, 96, 128, 16, 32, 32),
        _inception("inception3b", 128, 128, 192, 32, 96, 64),
        pool("maxpool3", 3, 2, ceil_mode=True),
        _inception("inception4a", 192, 96, 208, 16, 48, 64),
        _inception("inception4b", 160, 112, 224, 24, 64, 64),
        _inception("inception4c", 128, 128, 256, 24, 64, 64),
        _inception("inception4d", 112, 144, 288, 32, 64, 64),
        _inception("inception4e", 256, 160, 320, 32, 128, 128),
        pool("maxpool4", 2, 2, ceil_mode=True),
        _inception("inception5a", 256, 160, 320, 32, 128, 128),
        _inception("inception5b", 384, 192, 384, 48, 128, 128),
        {"type": "AdaptiveAvgPool2d", "name": "avgpool", "output_size": 1},
        {"type": "Flatten", "name": "flatten"},
        {"type": "Dropout", "name": "dropout", "rate": 0.2},
        dense("fc", 1000),
    ],
}

# ---- ResNet50 (keras.applications) ------------------------------------------------------------------


def _bn(name):
    return {"type": "BatchNormalization", "name": name, "epsilon": 1.001e-5}


def _act(name):
    return {"type": "Activation", "name": name, "activation": "relu"}


def _res_block(name, filters, stride=1, conv_shortcut=True):
    """keras.applications.resnet's block1: bottleneck 1×1 → 3×3 → 1×1 (4·filters), Add, ReLU."""
    main = [conv(f"{name}_1_conv", filters, 1, strides=stride), _bn(f"{name}_1_bn"), _act(f"{name}_1_relu"),
            conv(f"{name}_2_conv", filters, 3, padding="same"), _bn(f"{name}_2_bn"), _act(f"{name}_2_relu"),
            conv(f"{name}_3_conv", 4 * filters, 1), _bn(f"{name}_3_bn")]
    shortcut = [conv(f"{name}_0_conv", 4 * filters, 1, strides=stride), _bn(f"{name}_0_bn")] if conv_shortcut else []
    return [{"type": "Add", "name": f"{name}_add", "branches": [main, shortcut]}, _act(f"{name}_out")]


def _stack(name, filters, blocks, stride1=2):
    layers = _res_block(f"{name}_block1", filters, stride=stride1)
    for i in range(2, blocks + 1):
        layers += _res_block(f"{name}_block{i}", filters, conv_shortcut=False)
    return layers


RESNET50 = {
    "id": "resnet50", "name": "ResNet50",
    "reference": {
        "text": "keras.applications.ResNet50(include_top=True, weights=None): He, Zhang, Ren & Sun (2016), "
                "Deep Residual Learning for Image Recognition; convolutions with bias, BatchNormalization "
                "(epsilon 1.001e-5), projection shortcut in the first block of each stage.",
        "url": "https://github.com/keras-team/keras/blob/master/keras/src/applications/resnet.py",
    },
    "counting": "keras", "input_shape": [224, 224, 3],
    "layers": [
        {"type": "ZeroPadding2D", "name": "conv1_pad", "padding": 3},
        conv("conv1_conv", 64, 7, strides=2), _bn("conv1_bn"), _act("conv1_relu"),
        {"type": "ZeroPadding2D", "name": "pool1_pad", "padding": 1},
        pool("pool1_pool", 3, 2),
        *_stack("conv2", 64, 3, stride1=1), *_stack("conv3", 128, 4), *_stack("conv4", 256, 6),
        *_stack("conv5", 512, 3),
        {"type": "GlobalAveragePooling2D", "name": "avg_pool"},
        dense("predictions", 1000, "softmax"),
    ],
}

NETWORKS = {net["id"]: net for net in (LENET5, ALEXNET, VGG16, GOOGLENET, RESNET50)}
