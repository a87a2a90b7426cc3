"""The network and what it is saved as: the four DMN modules (model.py), its config, the
tokenizer, checkpoints, and the compiled GRU kernels (gru.py, fused.py, csrc/) behind one
switch (ASKME_NATIVE)."""
