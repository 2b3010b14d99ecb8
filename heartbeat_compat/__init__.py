"""Heartbeat v1 compatibility: /etc/ha.d parsing, haresources2cib and the v1 wire protocol."""
