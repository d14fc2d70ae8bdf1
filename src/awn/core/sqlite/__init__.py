"""Django's SQLite backend with writers queued on a lock file (the ENGINE `awn.core.sqlite`): see base.py."""
