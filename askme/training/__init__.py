"""Making a model: recipes and their data steps, the options of one stage, what a batch
holds (sampling, renaming, retelling), the training loop, and the step strategies for one
process, --processes and torchrun."""
