"""Running instances: load → check → run → persist, the open-task table and the
inbox read from it, timers, form choices, and moving instances to a newer version."""
