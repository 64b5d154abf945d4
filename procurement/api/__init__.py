"""REST API of the procurement app (serializers and views)."""
