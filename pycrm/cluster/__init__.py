"""The CRM's cluster layer on the Heartbeat v1 wire: ordered messages, quorum, DC election."""
