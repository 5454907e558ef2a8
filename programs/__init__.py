"""Cross-functional programs: joint customer visits and the trust pulse."""
