"""SimpleRNN, LSTM and GRU with Keras' semantics: per-step traces and BPTT sensitivity ‖∂h_T/∂x_t‖."""

from .gru import run_gru
from .lstm import run_lstm
from .simple_rnn import run_rnn

__all__ = ["run_rnn", "run_lstm", "run_gru"]
