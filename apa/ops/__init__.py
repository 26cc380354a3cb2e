"""Operating APA: backups that restore and the checksums that prove it (docs/operations.md)."""
