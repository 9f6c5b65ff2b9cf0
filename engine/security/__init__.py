"""Web sessions that can be ended server-side, and login throttling."""
