"""The pandas edge: observation schema and validation, periods and calendars."""
