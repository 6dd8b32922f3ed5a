"""Tasks from playbooks (seed 001, work process management): validation of the seed playbooks."""
