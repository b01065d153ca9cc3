"""AKS networking field guide generator: captures in, checked pages and diagrams out."""

# The one place the version is written: pyproject.toml reads it, --version prints it.
__version__ = "0.1.0"
