"""The incident board's REST API (API.md, Coordination): serializers and views by sub-domain."""
