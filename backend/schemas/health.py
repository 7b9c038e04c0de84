from __future__ import annotations

from marshmallow import Schema, fields


class HealthSchema(Schema):
    status = fields.String()
    database = fields.String()
    currency = fields.String()
    # The database node this app process uses ("host:port"; DB_HOSTS fails over to the next).
    database_node = fields.String()
    # Nodes in the Galera cluster as that node sees them; null on a single server.
    cluster_size = fields.Integer(allow_none=True)
