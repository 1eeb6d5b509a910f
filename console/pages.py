"""How many rows one read brings: a search's matches, a page of a customer's history."""

SEARCH_LIMIT = 50
HISTORY_PAGE = 200
