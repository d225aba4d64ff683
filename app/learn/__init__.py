"""Courses: catalogue by tier, lessons, progress and hours; required-course assignments."""
