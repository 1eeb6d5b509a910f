"""Finding a customer: the search box and its results."""
