"""`/draft`: a short message fitted to the client's culture and contact, in English and their language."""
