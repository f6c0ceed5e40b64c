"""Operations: /healthz, request ids and one JSON log line per request (see docs/deployment.md)."""
