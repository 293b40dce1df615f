"""The liveness (presentation-attack) model's training: its frames, its reference graph, its run."""
