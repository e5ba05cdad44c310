"""OpenRosa 1.0 endpoints in ODK Central's URL shape, for ODK Collect, Enketo and Web Forms."""
