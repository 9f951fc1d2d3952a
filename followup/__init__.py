"""followup: when and how to follow up after a job interview, and exactly why."""
