"""papi-engine composition root: collection API, storage, OpenRosa, CLI."""
