"""Mail: the outbox written in the same transaction as the change that causes it, notifications of
tasks (available, reminder, overdue, daily digest), per-person preferences, and delivery over SMTP."""
