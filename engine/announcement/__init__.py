"""§12 Announcement of COOMET courses: the NMI directory, the invitation letters sent by the Secretariat (12.1)
through the outbox, and the public list of COOMET courses for the COOMET webportal (12.2)."""
