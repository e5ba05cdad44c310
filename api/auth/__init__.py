"""Bearer tokens, roles and survey scopes."""
