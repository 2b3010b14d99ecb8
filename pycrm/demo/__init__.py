"""`pycrm demo`: pycrm's agents protecting a web service in a private network namespace."""
