"""ERP integration: connectors, a permission-checked tool catalog, guarded ad-hoc queries."""
