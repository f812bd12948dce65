"""`/contact`: how and when to reach a client (or anyone in a country), in one glance."""
