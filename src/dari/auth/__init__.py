"""Identity: users, departments, roles, signed tokens, API keys and brute-force protection.

Other domains use `dari.auth.deps` (`CurrentUser`, `require`, `principal_from_token`) and the
`dari.core.principal.Principal` it builds; they never read auth's tables.
"""
