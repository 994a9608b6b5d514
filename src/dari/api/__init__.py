"""HTTP plumbing shared by every domain: problems (RFC 9457), dependencies, middleware."""
