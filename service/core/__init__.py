"""What every feature stands on: the database, the error family, request limits, stored rows, the audit trail."""
