"""The capture JSON Schema (capture.schema.json), shipped as package data."""
