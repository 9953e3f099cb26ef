"""A small NumPy neural-network engine: layers as forward/backward pairs, Adam, a Sequential model."""

from .conv import conv2d_backward, conv2d_forward, conv2d_naive
from .layers import (
    dense_backward,
    dense_forward,
    dropout_backward,
    dropout_forward,
    flatten_backward,
    flatten_forward,
    relu_backward,
    relu_forward,
    softmax,
    softmax_ce_backward,
    softmax_ce_forward,
)
from .model import Sequential
from .optim import Adam, cosine_lr
from .pool import maxpool2d_backward, maxpool2d_forward, maxpool2d_infer, maxpool2d_naive

__all__ = [
    "Adam", "Sequential", "conv2d_backward", "conv2d_forward", "conv2d_naive",
    "cosine_lr",
    "dense_backward", "dense_forward", "dropout_backward", "dropout_forward", "flatten_backward",
    "flatten_forward", "maxpool2d_backward", "maxpool2d_forward", "maxpool2d_infer", "maxpool2d_naive", "relu_backward",
    "relu_forward", "softmax", "softmax_ce_backward", "softmax_ce_forward",
]
