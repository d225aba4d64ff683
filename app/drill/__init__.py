"""Branching scenario drills (情景模拟): the pure engine and checker, the server-side play, analytics."""
