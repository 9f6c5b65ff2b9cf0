"""Trial runs: a process owner tries a draft process or form on a throw-away course before deploying it."""
