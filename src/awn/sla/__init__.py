"""SLAs on business hours: ordered policies, pausable clocks, due times on the ticket, warnings, breaches."""
