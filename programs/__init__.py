"""Programs that bring functions together: joint customer visits and the trust pulse."""
