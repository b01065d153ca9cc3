"""AKS networking field guide generator: captures in, checked pages and diagrams out."""
