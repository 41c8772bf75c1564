"""The registers of the open incident: people and the KPW board, exhibits and their continuity,
decisions. One view per register; each table has its own model in its own file."""
