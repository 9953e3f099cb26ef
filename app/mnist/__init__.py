"""MNIST: reading the idx files, preparing drawings like the dataset, and running the trained CNN."""
