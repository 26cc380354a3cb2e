"""Background jobs: long work (every letter of a cycle, an uploaded indicator file, an open-data package) runs
on Celery workers, and the schedule (publication, the daily alert digest) on Celery beat."""
