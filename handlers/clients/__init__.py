"""`/client`: the client directory — add, edit, show, list, remove, import and export clients."""
