"""Getting a user's log in and out: imports, exports, backups and reports."""
