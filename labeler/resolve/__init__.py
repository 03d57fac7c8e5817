"""Resolve: the disagreements, the resolutions and a lead's session over them."""
