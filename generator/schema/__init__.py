"""The JSON Schemas shipped as package data: capture.schema.json and comparisons.schema.json."""
