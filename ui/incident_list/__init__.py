"""The incident list screen and its table model."""
