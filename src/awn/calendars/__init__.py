"""Business calendars: timezone, weekly hours (any weekend days), holidays; pure maths in business_hours."""
