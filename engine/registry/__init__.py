"""The COOMET registry: courses (Lists 6.2, 8.2, 13.5), people, roles and CSBs."""
