"""The append-only audit log of security-relevant events (logins, role changes, ERP calls,
document reads). Every domain records through `dari.audit.service.record`."""
