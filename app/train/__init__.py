"""Training classes (培训班): classes held in person, their timetable, QR sign-in, leave, hours,
ratings and completion. Kept empty so importing the pure cores (tokens, rules) never loads Flask."""
