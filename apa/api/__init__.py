"""The public JSON API, /api/v1/: published data only, read through the selectors the pages and the command
line use (docs/api.md)."""
