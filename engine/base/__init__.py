"""What every part of the engine stands on: the database and its tables, schema
upgrades, the clock, settings, errors, and turning workflows into text."""
