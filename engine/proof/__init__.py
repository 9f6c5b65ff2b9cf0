"""Proof that history was not altered: the hash-chained event log, replay by
re-execution, the offline dossier, and the path an instance took."""
