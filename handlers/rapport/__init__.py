"""`/rapport`: help, the member's working hours, workspace stats and export."""
