"""Process definitions: reading and checking BPMN and forms, deploying them as
versions, comparing versions, and the form library process owners edit."""
