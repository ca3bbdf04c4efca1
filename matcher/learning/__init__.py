"""Learning and measuring: training pairs, the training pipeline, the offline evaluations (twins,
thematic, cold start) and the model card."""
