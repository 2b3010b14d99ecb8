"""Prometheus metrics of `pycrm run`: ha_cluster_exporter's names for the cluster
(`cluster`, pure), pycrm's own counters (`failover`, pure), the daemon's glue (`daemon`) and
the HTTP endpoint in the daemon's loop (`http`)."""
