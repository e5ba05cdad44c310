"""Background jobs (scoring) stored in the database, so any worker can answer for them."""
