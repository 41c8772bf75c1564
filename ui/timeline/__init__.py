"""Every entry of the open incident in order, corrections linked both ways, with a filter."""
