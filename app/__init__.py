"""CNN & RNN, number by number: a NumPy engine, a JSON API and animated pages."""
