"""Submissions: exactly-once intake (single and batch), reading, review, versioned edits."""
