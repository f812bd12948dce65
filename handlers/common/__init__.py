"""What every capability shares: argument parsing, answering, errors, people's time zones."""
