"""What a user's working memory is: the SQLite store, the entity slots, the encoding cache,
and answering from a memory (answer.py, the one answer path)."""
