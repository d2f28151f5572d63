"""Service levels: business calendars, SLA clocks and targets, warnings, breaches and timers."""
